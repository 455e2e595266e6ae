package email

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/notifier-dev/notifier/internal/notify/email/smtptest"
)

// TestDeliveredPredictionEmail builds the email for a hostile prediction,
// sends it through STARTTLS with AUTH, and reads it back as a mail client would.
func TestDeliveredPredictionEmail(t *testing.T) {
	body := `{"id":"p9x","model":"zeke/chaos-monkey","version":"0098011f","status":"succeeded",` +
		`"created_at":"2025-01-02T03:04:05Z","started_at":"2025-01-02T03:04:06Z","completed_at":"2025-01-02T03:04:09Z",` +
		`"logs":"step 1\nstep 2\n","output":["<script>alert('pwned')</script>","https://replicate.delivery/x/out.png"],` +
		`"urls":{"web":"https://replicate.com/p/p9x"}}`
	msg := build(t, body, BuildOptions{})
	srv := startServer(t, smtptest.Options{Security: smtptest.StartTLS, Username: testUser, Password: testPassword})
	s := newSender(t, srv.URL(), srv)
	to := []string{"ops@example.com", "Dév Team <dev@example.com>"}
	if err := s.Send(testContext(t), msg, to); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs, err := srv.WaitMessages(testContext(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatalf("reading the received message: %v", err)
	}
	checkHeaders(t, m.Header)
	text, html := readAlternative(t, m)

	for _, want := range []string{"Prediction p9x succeeded", "https://replicate.com/p/p9x", "Model:        zeke/chaos-monkey",
		"Queued for:   1s", "Ran for:      3s", "Total:        4s", "  step 2\n", "<script>alert('pwned')</script>"} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Errorf("HTML part has a live <script>:\n%s", html)
	}
	for _, want := range []string{"&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;",
		`<a href="https://replicate.delivery/x/out.png">`, `<a href="https://replicate.com/p/p9x">`, "<td>zeke/chaos-monkey</td>"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, html)
		}
	}
}

func checkHeaders(t *testing.T, h mail.Header) {
	t.Helper()
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != "[notifier] zeke/chaos-monkey p9x succeeded" {
		t.Errorf("Subject = %q (%v)", subject, err)
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date header: %v", err)
	}
	if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.Contains(id, "@") {
		t.Errorf("Message-ID = %q", id)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "notifier@example.com" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Address != "ops@example.com" || to[1].Name != "Dév Team" {
		t.Errorf("To = %v (%v)", to, err)
	}
}

// readAlternative returns the text and HTML parts of a multipart/alternative message.
func readAlternative(t *testing.T, m *mail.Message) (text, html string) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")) // SMTP line endings
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	if text == "" || html == "" {
		t.Fatalf("missing a part: text %d bytes, HTML %d bytes", len(text), len(html))
	}
	return text, html
}

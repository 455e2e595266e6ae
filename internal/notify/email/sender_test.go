package email

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/notify/email/smtptest"
)

const (
	testUser     = "notifier@example.com"
	testPassword = "pa:ss/w0rd@%+secret"
	testFrom     = "Notifier <notifier@example.com>"
)

// fastBackoff keeps retries in tests quick; the count is what matters.
var fastBackoff = []time.Duration{time.Millisecond, time.Millisecond}

func startServer(t *testing.T, opts smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(opts)
	if err != nil {
		t.Fatalf("starting SMTP server: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// newSender parses url as NOTIFIER_SMTP_URL would be and trusts srv's certificate.
func newSender(t *testing.T, url string, srv *smtptest.Server) *Sender {
	t.Helper()
	cfg, err := ParseSMTPURL(url)
	if err != nil {
		t.Fatalf("ParseSMTPURL: %v", err)
	}
	var tlsConfig *tls.Config
	if srv != nil {
		tlsConfig = srv.ClientTLSConfig()
	}
	s, err := NewSender(cfg, testFrom, SenderOptions{TLSConfig: tlsConfig, Timeout: 10 * time.Second, Backoff: fastBackoff})
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	return s
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var testMessage = &Message{Subject: "[notifier] o/m p1 succeeded", Text: "hello\n", HTML: "<p>hello</p>\n"}

func TestSendModes(t *testing.T) {
	for _, security := range []smtptest.Security{smtptest.Plain, smtptest.StartTLS, smtptest.ImplicitTLS} {
		for _, auth := range []bool{false, true} {
			name := map[smtptest.Security]string{smtptest.Plain: "none", smtptest.StartTLS: "starttls", smtptest.ImplicitTLS: "tls"}[security]
			if auth {
				name += "+auth"
			}
			t.Run(name, func(t *testing.T) {
				opts := smtptest.Options{Security: security}
				if auth {
					opts.Username, opts.Password = testUser, testPassword
				}
				srv := startServer(t, opts)
				s := newSender(t, srv.URL(), srv)
				to := []string{"ops@example.com", "Dev Team <dev@example.com>"}
				if err := s.Send(testContext(t), testMessage, to); err != nil {
					t.Fatalf("Send: %v", err)
				}
				msgs, err := srv.WaitMessages(testContext(t), 1)
				if err != nil {
					t.Fatal(err)
				}
				got := msgs[0]
				if got.From != "notifier@example.com" {
					t.Errorf("MAIL FROM = %q", got.From)
				}
				if strings.Join(got.To, ",") != "ops@example.com,dev@example.com" {
					t.Errorf("RCPT TO = %q", got.To)
				}
				if !strings.Contains(string(got.Data), "Subject: [notifier] o/m p1 succeeded") {
					t.Errorf("message:\n%s", got.Data)
				}
				if srv.Connections() != 1 {
					t.Errorf("%d connections, want 1", srv.Connections())
				}
			})
		}
	}
}

func TestSendWrongPasswordIsAuthErrorWithoutRetry(t *testing.T) {
	srv := startServer(t, smtptest.Options{Security: smtptest.StartTLS, Username: testUser, Password: "right"})
	s := newSender(t, strings.Replace(srv.URL(), ":right@", ":"+urlEscapedPassword+"@", 1), srv)
	err := s.Send(testContext(t), testMessage, []string{"ops@example.com"})
	e := asError(t, err)
	if e.Kind != KindAuth || e.Code != 535 || e.Temporary || e.Attempts != 1 {
		t.Errorf("error = %+v, want a permanent auth error after 1 attempt", e)
	}
	if want := "authentication failed (535 5.7.8 Authentication failed)"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if srv.Connections() != 1 || srv.AuthFailures() != 1 {
		t.Errorf("%d connections, %d auth failures; want 1 and 1", srv.Connections(), srv.AuthFailures())
	}
}

// urlEscapedPassword is testPassword as it appears in a URL.
const urlEscapedPassword = "pa%3Ass%2Fw0rd%40%25%2Bsecret"

func TestSendNoServerRetriesThenConnectionError(t *testing.T) {
	addr := closedAddr(t)
	s := newSender(t, "smtp://"+testUser+":"+urlEscapedPassword+"@"+addr, nil)
	err := s.Send(testContext(t), testMessage, []string{"ops@example.com"})
	e := asError(t, err)
	if e.Kind != KindConnection || !e.Temporary || e.Attempts != 3 {
		t.Errorf("error = %+v, want a temporary connection error after 3 attempts", e)
	}
	if !strings.HasPrefix(err.Error(), "connection failed after 3 attempts (") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("error = %q", err)
	}
}

func TestSendRetriesTemporaryFailure(t *testing.T) {
	srv := startServer(t, smtptest.Options{Security: smtptest.StartTLS, Username: testUser, Password: testPassword, FailFirst: 1})
	s := newSender(t, srv.URL(), srv)
	if err := s.Send(testContext(t), testMessage, []string{"ops@example.com"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages delivered, want 1", n)
	}
	if srv.MailCommands() != 2 || srv.Connections() != 2 {
		t.Errorf("%d MAIL commands on %d connections, want 2 and 2", srv.MailCommands(), srv.Connections())
	}
}

func TestSendRetriesDroppedConnection(t *testing.T) {
	srv := startServer(t, smtptest.Options{Security: smtptest.ImplicitTLS, DropFirst: 2})
	s := newSender(t, srv.URL(), srv)
	if err := s.Send(testContext(t), testMessage, []string{"ops@example.com"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if n := len(srv.Messages()); n != 1 || srv.Connections() != 3 {
		t.Errorf("%d messages on %d connections, want 1 on 3", n, srv.Connections())
	}
}

func TestSendGivesUpOnPersistentTemporaryFailure(t *testing.T) {
	srv := startServer(t, smtptest.Options{FailFirst: 10})
	s := newSender(t, srv.URL(), srv)
	err := s.Send(testContext(t), testMessage, []string{"ops@example.com"})
	e := asError(t, err)
	if e.Kind != KindRejected || e.Code != 451 || !e.Temporary || e.Attempts != 3 {
		t.Errorf("error = %+v, want a temporary rejection after 3 attempts", e)
	}
	if srv.MailCommands() != 3 {
		t.Errorf("%d MAIL commands, want 3", srv.MailCommands())
	}
}

func TestSendRecipientRefused(t *testing.T) {
	srv := startServer(t, smtptest.Options{RejectRecipients: []string{"nobody@example.com"}})
	s := newSender(t, srv.URL(), srv)
	err := s.Send(testContext(t), testMessage, []string{"ops@example.com", "nobody@example.com"})
	e := asError(t, err)
	if e.Kind != KindRecipient || e.Code != 550 || e.Temporary || e.Attempts != 1 {
		t.Errorf("error = %+v, want a permanent recipient error after 1 attempt", e)
	}
	if !strings.HasPrefix(err.Error(), "recipient refused (") || !strings.Contains(err.Error(), "nobody@example.com") {
		t.Errorf("error = %q", err)
	}
	if len(srv.Messages()) != 0 {
		t.Error("message delivered to the other recipient")
	}
}

func TestSendTLSFailures(t *testing.T) {
	tests := []struct {
		name     string
		security smtptest.Security
		scheme   string // replaces the server's own
		trust    bool
		detail   string
	}{
		{"untrusted certificate", smtptest.StartTLS, "", false, "certificate"},
		{"untrusted certificate, implicit", smtptest.ImplicitTLS, "", false, "certificate"},
		{"no STARTTLS offered", smtptest.Plain, "smtp", true, "STARTTLS"},
		{"implicit TLS to a STARTTLS port", smtptest.StartTLS, "smtps", true, "tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, smtptest.Options{Security: tt.security, Username: testUser, Password: testPassword})
			url := srv.URL()
			if tt.scheme != "" {
				url = tt.scheme + "://" + testUser + ":" + urlEscapedPassword + "@" + srv.Addr()
			}
			cfg, err := ParseSMTPURL(url)
			if err != nil {
				t.Fatal(err)
			}
			opts := SenderOptions{TLSConfig: &tls.Config{RootCAs: nil}, Backoff: fastBackoff}
			if tt.trust {
				opts.TLSConfig = srv.ClientTLSConfig()
			}
			s, err := NewSender(cfg, testFrom, opts)
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(testContext(t), testMessage, []string{"ops@example.com"})
			e := asError(t, err)
			if e.Kind != KindTLS || e.Temporary || e.Attempts != 1 {
				t.Errorf("error = %+v, want a permanent TLS error after 1 attempt", e)
			}
			if !strings.Contains(e.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", e.Detail, tt.detail)
			}
			if srv.AuthFailures() != 0 || len(srv.Messages()) != 0 {
				t.Error("credentials or message sent despite the TLS failure")
			}
		})
	}
}

func TestSendCanceled(t *testing.T) {
	s := newSender(t, "smtp://127.0.0.1:1?tls=none", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Send(ctx, testMessage, []string{"ops@example.com"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a canceled context = %v, want context.Canceled", err)
	}

	// A long backoff ends with the context, not after the wait.
	addr := closedAddr(t)
	cfg, _ := ParseSMTPURL("smtp://" + addr + "?tls=none")
	s, err = NewSender(cfg, testFrom, SenderOptions{Backoff: []time.Duration{time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = s.Send(ctx, testMessage, []string{"ops@example.com"})
	if !errors.Is(err, context.DeadlineExceeded) || asError(t, err).Attempts != 1 {
		t.Errorf("Send = %v, want the deadline after 1 attempt", err)
	}
}

func TestSendConcurrently(t *testing.T) {
	srv := startServer(t, smtptest.Options{Security: smtptest.StartTLS, Username: testUser, Password: testPassword})
	s := newSender(t, srv.URL(), srv)
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Send(testContext(t), testMessage, []string{"ops@example.com"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if _, err := srv.WaitMessages(testContext(t), 5); err != nil {
		t.Error(err)
	}
}

func TestSendInvalidAddresses(t *testing.T) {
	cfg := SMTPConfig{Host: "127.0.0.1", Port: 1, Mode: ModeNone}
	if _, err := NewSender(cfg, "not an address", SenderOptions{}); err == nil {
		t.Error("NewSender accepted a bad from address")
	}
	if _, err := NewSender(SMTPConfig{}, testFrom, SenderOptions{}); err == nil {
		t.Error("NewSender accepted an empty config")
	}
	s, err := NewSender(cfg, testFrom, SenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range [][]string{nil, {"ops@example.com", "bad"}} {
		if err := s.Send(testContext(t), testMessage, to); err == nil {
			t.Errorf("Send to %q: no error", to)
		}
	}
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *email.Error", err, err)
	}
	if strings.ContainsAny(e.Error(), "\r\n") {
		t.Errorf("error spans lines: %q", e.Error())
	}
	return e
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

package smtptest

import (
	"context"
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	srv, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// dial opens a client session; with StartTLS it upgrades and trusts the server.
func dial(t *testing.T, srv *Server) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := srv.ClientTLSConfig()
		cfg.ServerName = srv.Host()
		if err := c.StartTLS(cfg); err != nil {
			t.Fatalf("STARTTLS: %v", err)
		}
	}
	return c
}

func TestURL(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{}, "smtp://127.0.0.1:PORT?tls=none"},
		{Options{Security: StartTLS, Username: "u@x", Password: "p/w"}, "smtp://u%40x:p%2Fw@127.0.0.1:PORT"},
		{Options{Security: ImplicitTLS}, "smtps://127.0.0.1:PORT"},
	}
	for _, tt := range tests {
		srv := start(t, tt.opts)
		want := strings.Replace(tt.want, "PORT", srv.Addr()[len("127.0.0.1:"):], 1)
		if got := srv.URL(); got != want {
			t.Errorf("URL() = %q, want %q", got, want)
		}
	}
}

func TestRecordsAndInjectsFailures(t *testing.T) {
	srv := start(t, Options{Security: StartTLS, Username: "u", Password: "p", FailFirst: 1, RejectRecipients: []string{"NO@example.com"}})
	c := dial(t, srv)
	if err := c.Mail("a@example.com"); err == nil || !strings.HasPrefix(err.Error(), "502") {
		t.Errorf("MAIL before AUTH = %v, want 502", err)
	}
	if err := c.Auth(smtp.PlainAuth("", "u", "wrong", srv.Host())); err == nil || srv.AuthFailures() != 1 {
		t.Errorf("AUTH with a wrong password = %v, %d failures", err, srv.AuthFailures())
	}
	c = dial(t, srv) // net/smtp hangs up after a failed AUTH
	if err := c.Auth(smtp.PlainAuth("", "u", "p", srv.Host())); err != nil {
		t.Fatalf("AUTH: %v", err)
	}
	if err := c.Mail("a@example.com"); err == nil || !strings.HasPrefix(err.Error(), "451") {
		t.Errorf("first MAIL = %v, want 451", err)
	}
	if err := c.Mail("a@example.com"); err != nil {
		t.Fatalf("second MAIL: %v", err)
	}
	if err := c.Rcpt("no@example.com"); err == nil || !strings.HasPrefix(err.Error(), "550") {
		t.Errorf("RCPT of a rejected address = %v, want 550", err)
	}
	if err := c.Rcpt("b@example.com"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("Subject: hi\r\n\r\nbody\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	msgs, err := srv.WaitMessages(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	if m.From != "a@example.com" || len(m.To) != 1 || m.To[0] != "b@example.com" || !strings.Contains(string(m.Data), "body") {
		t.Errorf("recorded %+v", m)
	}
	if srv.Connections() != 2 || srv.MailCommands() != 3 {
		t.Errorf("%d connections, %d MAIL commands; want 2 and 3", srv.Connections(), srv.MailCommands())
	}
}

func TestWaitMessagesEndsWithContext(t *testing.T) {
	srv := start(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := srv.WaitMessages(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitMessages = %v, want the deadline", err)
	}
}

func TestCertPEM(t *testing.T) {
	srv := start(t, Options{Security: ImplicitTLS})
	if pem := string(srv.CertPEM()); !strings.HasPrefix(pem, "-----BEGIN CERTIFICATE-----") {
		t.Errorf("CertPEM = %q", pem)
	}
}

func TestAuthReplyEchoesResponse(t *testing.T) {
	srv := start(t, Options{Security: StartTLS, Username: "u", Password: "p", AuthReply: "rejected: AUTH {mech} {response}"})
	c := dial(t, srv)
	// Right credentials, refused all the same; AHUAcA== is "\x00u\x00p".
	err := c.Auth(smtp.PlainAuth("", "u", "p", srv.Host()))
	var tp *textproto.Error
	if !errors.As(err, &tp) || tp.Code != 535 || tp.Msg != "5.7.8 rejected: AUTH PLAIN AHUAcA==" {
		t.Errorf("AUTH = %v, want 535 5.7.8 quoting the response", err)
	}
	if srv.AuthFailures() != 1 {
		t.Errorf("%d auth failures, want 1", srv.AuthFailures())
	}
}

// A client that sends its response on the line after "334 " gets it
// quoted back too.
func TestAuthReplyWithoutInitialResponse(t *testing.T) {
	srv := start(t, Options{AuthReply: "Authentication failed: {response}"})
	conn, err := textproto.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	steps := []struct {
		send string
		code int
		want string
	}{
		{"", 220, ""},
		{"EHLO client", 250, ""},
		{"AUTH PLAIN", 334, ""},
		{"AHUAcA==", 535, "5.7.8 Authentication failed: AHUAcA=="},
	}
	for _, s := range steps {
		if s.send != "" {
			if err := conn.PrintfLine("%s", s.send); err != nil {
				t.Fatal(err)
			}
		}
		_, msg, err := conn.ReadResponse(s.code)
		if err != nil || (s.want != "" && msg != s.want) {
			t.Fatalf("after %q: %q, %v; want %d %q", s.send, msg, err, s.code, s.want)
		}
	}
}

package email

import (
	"errors"
	"strings"
	"testing"

	"github.com/notifier-dev/notifier/internal/notify/email/smtptest"
)

// TestErrorsNeverShowThePassword runs every failure with the password in
// play and checks the text, including the server's own replies.
func TestErrorsNeverShowThePassword(t *testing.T) {
	e := classify(errors.New("535 5.7.8 rejected "+testPassword+" and "+urlEscapedPassword), testPassword)
	if strings.Contains(e.Error(), testPassword) || strings.Contains(e.Error(), urlEscapedPassword) {
		t.Errorf("classify kept the password: %q", e)
	}
	srv := startServer(t, smtptest.Options{Security: smtptest.StartTLS, Username: testUser, Password: "other"})
	url := "smtp://" + testUser + ":" + urlEscapedPassword + "@"
	for _, target := range []string{srv.Addr(), closedAddr(t)} {
		s := newSender(t, url+target, srv)
		err := s.Send(testContext(t), testMessage, []string{"ops@example.com"})
		if err == nil {
			t.Fatal("Send succeeded")
		}
		if msg := err.Error(); strings.Contains(msg, testPassword) || strings.Contains(msg, urlEscapedPassword) {
			t.Errorf("error shows the password: %q", msg)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ s, password, want string }{
		{"535 bad credentials hunter22", "hunter22", "535 bad credentials xxxxx"},
		{"echo hunter22hunter22", "hunter22", "echo xxxxxxxxxx"},
		{"echo p%40ss%2Fword%21!", "p@ss/word!", "echo xxxxx!"},
		{"550 Mailbox unavailable", "x", "550 Mailbox unavailable"},
		{"bad password: x.", "x", "bad password: xxxxx."},
		{"no secret here", "", "no secret here"},
	}
	for _, tt := range tests {
		if got := redact(tt.s, tt.password); got != tt.want {
			t.Errorf("redact(%q, %q) = %q, want %q", tt.s, tt.password, got, tt.want)
		}
	}
}

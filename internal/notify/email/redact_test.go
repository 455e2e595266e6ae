package email

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/notifier-dev/notifier/internal/notify/email/smtptest"
)

// TestErrorsNeverShowThePassword runs every failure with the password in
// play and checks the text, including the server's own replies.
func TestErrorsNeverShowThePassword(t *testing.T) {
	e := classify(errors.New("535 5.7.8 rejected "+testPassword+" and "+urlEscapedPassword), testUser, testPassword)
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

// secretForms are the spellings of password that must never be shown: as
// is, percent-encoded, and base64-encoded alone (AUTH LOGIN) or in the AUTH
// PLAIN response, with or without an authorization identity.
func secretForms(username, password string) []string {
	forms := []string{password, url.QueryEscape(password), url.PathEscape(password)}
	for _, blob := range []string{password, "\x00" + username + "\x00" + password, username + "\x00" + username + "\x00" + password} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			forms = append(forms, enc.EncodeToString([]byte(blob)))
		}
	}
	return forms
}

// An SMTP server that quotes the refused AUTH line back shows the
// password base64-encoded; go-mail passes its reply on as is.
func TestSendAuthEchoNeverShowsThePassword(t *testing.T) {
	users := []struct{ user, pass string }{
		{testUser, testPassword},
		{"user", "secret"},
		{"me@example.com", "pw"},
		{"u", "p?s#s w/r@d:%"},
	}
	for _, reply := range []string{"Authentication failed: {response}", "rejected: AUTH {mech} {response}"} {
		for _, u := range users {
			srv := startServer(t, smtptest.Options{Security: smtptest.StartTLS, AuthReply: reply})
			raw := "smtp://" + url.PathEscape(u.user) + ":" + url.QueryEscape(u.pass) + "@" + srv.Addr()
			s := newSender(t, raw, srv)
			err := s.Send(testContext(t), testMessage, []string{"ops@example.com"})
			e := asError(t, err)
			if e.Kind != KindAuth || e.Code != 535 || srv.AuthFailures() != 1 {
				t.Errorf("error = %+v after %d AUTH, want one refused AUTH", e, srv.AuthFailures())
			}
			// The server did quote the response; without redaction it would show.
			want := strings.NewReplacer("{mech}", "PLAIN", "{response}", redactedPassword).Replace(reply)
			if !strings.Contains(err.Error(), "(535 5.7.8 "+want+")") {
				t.Errorf("error = %q, want the reply with the response redacted", err)
			}
			for _, form := range secretForms(u.user, u.pass) {
				for cause := error(e); cause != nil; cause = errors.Unwrap(cause) {
					if len(form) >= 3 && strings.Contains(cause.Error(), form) {
						t.Errorf("%q (%T, reply %q) shows %q", cause, cause, reply, form)
					}
				}
			}
		}
	}
}

// The password goes in every spelling, however the server cut or wrapped
// it; the username alone and ordinary text stay.
func TestRedactBase64(t *testing.T) {
	const user, pass = "ops@example.com", "correct horse"
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
	other := base64.StdEncoding.EncodeToString([]byte("admin\x00" + user + "\x00" + pass))
	login := base64.StdEncoding.EncodeToString([]byte(pass))
	tests := []struct{ s, want string }{
		{"535 5.7.8 Authentication failed: " + plain, "535 5.7.8 Authentication failed: xxxxx"},
		{"535 5.7.8 Authentication failed: " + other, "535 5.7.8 Authentication failed: xxxxx"},
		{"535 bad AUTH PLAIN " + plain + ".", "535 bad AUTH PLAIN xxxxx."},
		{"535 bad password " + login + " for " + base64.StdEncoding.EncodeToString([]byte(user)),
			"535 bad password xxxxx for " + base64.StdEncoding.EncodeToString([]byte(user))},
		{"535 bad " + strings.TrimRight(login, "="), "535 bad xxxxx"},
		{"535 bad " + base64.URLEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass)), "535 bad xxxxx"},
		{"535 auth=" + url.QueryEscape(plain), "535 auth=xxxxx"},
		{"535 cut: " + plain[:len(plain)-4], "535 cut: xxxxx"},                                                           // cut inside the password
		{"535 cut: " + login[:4], "535 cut: xxxxx"},                                                                      // "cor"
		{"535 arg:XY" + other, "535 arg:xxxxx"},                                                                          // not on a 4-character boundary
		{"535 bad " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00")), "535 bad AG9wc0BleGFtcGxlLmNvbQA="}, // no password in it
		{"535 5.7.8 Authentication credentials invalid", "535 5.7.8 Authentication credentials invalid"},
	}
	for _, tt := range tests {
		if got := redact(tt.s, user, pass); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ s, password, want string }{
		{"535 bad credentials hunter22", "hunter22", "535 bad credentials xxxxx"},
		{"echo hunter22hunter22", "hunter22", "echo xxxxxxxxxx"},
		{"echo p%40ss%2Fword%21!", "p@ss/word!", "echo xxxxx!"},
		{`echo "pa\"ss\\word"`, `pa"ss\word`, `echo "xxxxx"`},
		{"550 Mailbox unavailable", "x", "550 Mailbox unavailable"},
		{"bad password: x.", "x", "bad password: xxxxx."},
		{"xx. x", "x", "xx. xxxxx"},
		{"bad password: eA==.", "x", "bad password: xxxxx."},
		{"bad: " + base64.StdEncoding.EncodeToString([]byte("\x00u\x00x")), "x", "bad: xxxxx"},
		{"no secret here", "", "no secret here"},
	}
	for _, tt := range tests {
		if got := redact(tt.s, "u", tt.password); got != tt.want {
			t.Errorf("redact(%q, %q) = %q, want %q", tt.s, tt.password, got, tt.want)
		}
	}
}

// Once the password was in an error's text, Unwrap must not lead back to it.
func TestClassifyUnwrapHidesPassword(t *testing.T) {
	blob := base64.StdEncoding.EncodeToString([]byte("\x00" + testUser + "\x00" + testPassword))
	cause := errors.New("SMTP AUTH failed: 535 5.7.8 Authentication failed: " + blob)
	e := classify(cause, testUser, testPassword)
	if e.Kind != KindAuth {
		t.Errorf("Kind = %v, want KindAuth", e.Kind)
	}
	inner := errors.Unwrap(e)
	if inner == nil || strings.Contains(inner.Error(), blob) || !strings.Contains(inner.Error(), "535 5.7.8") {
		t.Errorf("Unwrap = %v, want the reply without the AUTH response", inner)
	}
	// An error without the password is kept, for errors.Is.
	if plain := errors.New("535 5.7.8 Authentication failed"); !errors.Is(classify(plain, testUser, testPassword), plain) {
		t.Error("Unwrap lost an error that did not show the password")
	}
}

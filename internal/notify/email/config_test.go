package email

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		raw  string
		want SMTPConfig
	}{
		{"smtp://user:pass@smtp.example.com:587", SMTPConfig{"smtp.example.com", 587, "user", "pass", ModeSTARTTLS}},
		{"smtp://user:pass@smtp.example.com", SMTPConfig{"smtp.example.com", 587, "user", "pass", ModeSTARTTLS}},
		{"smtp://user:pass@smtp.example.com:2525?tls=starttls", SMTPConfig{"smtp.example.com", 2525, "user", "pass", ModeSTARTTLS}},
		{"smtps://user:pass@smtp.example.com:465", SMTPConfig{"smtp.example.com", 465, "user", "pass", ModeTLS}},
		{"smtps://user:pass@smtp.example.com", SMTPConfig{"smtp.example.com", 465, "user", "pass", ModeTLS}},
		{"smtp://relay.internal:25?tls=none", SMTPConfig{"relay.internal", 25, "", "", ModeNone}},
		{"smtp://relay.internal?tls=none", SMTPConfig{"relay.internal", 25, "", "", ModeNone}},
		{"smtp://u:p@localhost:1025?tls=none", SMTPConfig{"localhost", 1025, "u", "p", ModeNone}},
		{"smtp://u:p@[::1]:1025?tls=none", SMTPConfig{"::1", 1025, "u", "p", ModeNone}},
		{"SMTP://relay:25", SMTPConfig{"relay", 25, "", "", ModeSTARTTLS}},
		{"  smtp://relay:25/  ", SMTPConfig{"relay", 25, "", "", ModeSTARTTLS}},
		// AWS SES-style credentials: escaped /, +, @, : and %.
		{"smtp://AKIA%2Fx:p%40ss%2Fw%3Ard%2B%25@email-smtp.eu-west-1.amazonaws.com:587",
			SMTPConfig{"email-smtp.eu-west-1.amazonaws.com", 587, "AKIA/x", "p@ss/w:rd+%", ModeSTARTTLS}},
		{"smtp://me%40example.com:secret@smtp.gmail.com:587",
			SMTPConfig{"smtp.gmail.com", 587, "me@example.com", "secret", ModeSTARTTLS}},
	}
	for _, tt := range tests {
		got, err := ParseSMTPURL(tt.raw)
		if err != nil {
			t.Errorf("ParseSMTPURL(%q): %v", tt.raw, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseSMTPURL(%q) = %#v, want %#v", tt.raw, got, tt.want)
		}
	}
}

// The password in these URLs is "hunter2/secret"-like; no error may show it,
// even when url.Parse itself fails and would quote the URL.
func TestParseSMTPURLErrorsHidePassword(t *testing.T) {
	const pass = "S3cr3tPw"
	tests := []struct{ raw, wantErr string }{
		{"smtp://user:" + pass + "/x@host:587", "must be percent-encoded"},                      // unescaped '/': the rest would be the path
		{"smtp://user:" + pass + "%zz@host:587", "cannot parse"},                                // bad escape
		{"smtp://user:" + pass + "@host:99999", "port"},                                         // port out of range
		{"smtp://user:" + pass + "@host:abc", "cannot parse"},                                   // port not a number
		{"smtp://user:" + pass + "#frag@host", "must be percent-encoded"},                       // '#' would start a fragment
		{"smtp://user:1234?" + pass + "@host", "must be percent-encoded"},                       // '?' would start a query, quoted as a parameter
		{"http://user:" + pass + "@host", "unsupported scheme"},                                 // wrong scheme
		{"user:" + pass + "@host:587", "unsupported scheme"},                                    // no scheme: "user" is taken as one
		{"smtp:user:" + pass + "@host", "want scheme://"},                                       // opaque
		{"smtp://user:" + pass + "@host/path", "want scheme://"},                                // path
		{"smtp://user:" + pass + "@", "missing host"},                                           // no host
		{"smtp://user:" + pass + "@127.0.0.1:127.0.0.1:25", "an IPv6 address goes in brackets"}, // host:host:port
		{"smtp://:" + pass + "@host", "password without a username"},
		{"smtp://user:" + pass + "@host?tls=maybe", `unknown tls="maybe"`},
		{"smtp://user:" + pass + "@host?foo=bar", `unknown parameter "foo"`},
		{"smtps://user:" + pass + "@host?tls=none", "contradicts smtps"},
		{"smtp://user:" + pass + "@relay.example.com?tls=none", "only sent to localhost"},
		{"//user:" + pass + "@host", "missing scheme"},
		{"", "missing scheme"},
	}
	for _, tt := range tests {
		_, err := ParseSMTPURL(tt.raw)
		if err == nil {
			t.Errorf("ParseSMTPURL(%q): no error", tt.raw)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, pass) || strings.Contains(msg, "S3cr") {
			t.Errorf("ParseSMTPURL(%q) error shows the password: %v", tt.raw, msg)
		}
		if !strings.Contains(msg, tt.wantErr) {
			t.Errorf("ParseSMTPURL(%q) error = %q, want it to contain %q", tt.raw, msg, tt.wantErr)
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("ParseSMTPURL(%q) error spans lines: %q", tt.raw, msg)
		}
	}
}

func TestSMTPConfigRedacted(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"smtp://user:pass@host:587", "smtp://user:xxxxx@host:587"},
		{"smtps://user:pass@host", "smtps://user:xxxxx@host:465"},
		{"smtp://host?tls=none", "smtp://host:25?tls=none"},
		{"smtp://me%40example.com:p%2F@host", "smtp://me%40example.com:xxxxx@host:587"},
		{"smtp://u:p@[::1]:2525?tls=none", "smtp://u:xxxxx@[::1]:2525?tls=none"},
	}
	for _, tt := range tests {
		cfg, err := ParseSMTPURL(tt.raw)
		if err != nil {
			t.Fatalf("ParseSMTPURL(%q): %v", tt.raw, err)
		}
		if got := cfg.Redacted(); got != tt.want {
			t.Errorf("Redacted(%q) = %q, want %q", tt.raw, got, tt.want)
		}
		// A redacted URL parses back to the same host, port and mode.
		back, err := ParseSMTPURL(cfg.Redacted())
		if err != nil || back.Host != cfg.Host || back.Port != cfg.Port || back.Mode != cfg.Mode {
			t.Errorf("ParseSMTPURL(Redacted(%q)) = %#v, %v", tt.raw, back, err)
		}
	}
}

func TestSMTPConfigFormatHidesPassword(t *testing.T) {
	cfg := SMTPConfig{Host: "host", Port: 587, Username: "user", Password: "hunter2", Mode: ModeSTARTTLS}
	wrapped := struct{ Cfg SMTPConfig }{cfg}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range []any{cfg, &cfg, wrapped} {
			got := fmt.Sprintf(verb, v)
			if strings.Contains(got, "hunter2") {
				t.Errorf("Sprintf(%q, %T) = %q shows the password", verb, v, got)
			}
		}
	}
	if got := fmt.Sprint(cfg); got != "smtp://user:xxxxx@host:587" {
		t.Errorf("Sprint = %q", got)
	}
	if got := fmt.Sprintf("%#v", cfg); !strings.Contains(got, `Password:"xxxxx"`) {
		t.Errorf("%%#v = %q", got)
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{ModeSTARTTLS: "starttls", ModeTLS: "tls", ModeNone: "none", Mode(9): "Mode(9)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}

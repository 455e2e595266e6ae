package email

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// secretAlphabet makes credentials whose every 3-character substring holds
// a letter that no error text of ParseSMTPURL contains (none is a hex
// digit either, so "%" followed by two of them is a bad escape).
const secretAlphabet = "QJXZKWVY"

// specials are the characters that need percent-encoding in a URL's
// credentials, or that split them.
const specials = "?#/@:% "

// secretWords are credentials with each special character at the start,
// the middle and the end, and twice; and random ones, specials never
// side by side.
func secretWords() []string {
	var words []string
	for _, c := range specials {
		s := string(c)
		words = append(words, s+"QJXZ", "QJ"+s+"XZ", "QJXZ"+s, "Q"+s+"JXZ"+s+"KW")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		var b strings.Builder
		special := false
		for range 3 + rng.IntN(10) {
			if !special && rng.IntN(3) == 0 {
				b.WriteByte(specials[rng.IntN(len(specials))])
				special = true
				continue
			}
			b.WriteByte(secretAlphabet[rng.IntN(len(secretAlphabet))])
			special = false
		}
		words = append(words, b.String())
	}
	return words
}

// leak returns a substring of 3 characters of secret found in msg, or "".
func leak(msg, secret string) string {
	for i := 0; i+3 <= len(secret); i++ {
		if g := secret[i : i+3]; strings.Contains(msg, g) {
			return g
		}
	}
	return ""
}

// No error of ParseSMTPURL shows any part of the username or password, as
// written in the URL, whatever they hold and whatever else is wrong.
func TestParseSMTPURLErrorsHideCredentials(t *testing.T) {
	tails := []string{
		"mail.example.com:587", "mail.example.com", "localhost:25?tls=none", "[::1]:2525?tls=none",
		"mail.example.com:587?tls=starttls", "mail.example.com?foo=bar", "mail.example.com?tls=maybe",
		"mail.example.com:99999", "relay.example.com?tls=none",
	}
	const other = "VYKWZJ"
	var failures, spilled int
	for _, word := range secretWords() {
		for _, userinfo := range []string{other + ":" + word, word + ":" + other, word} {
			for _, scheme := range []string{"smtp://", "smtps://"} {
				for _, tail := range tails {
					raw := scheme + userinfo + "@" + tail
					_, err := ParseSMTPURL(raw)
					if err == nil {
						continue
					}
					failures++
					msg := err.Error()
					if g := leak(msg, userinfo); g != "" {
						t.Errorf("ParseSMTPURL(%q) = %q: shows %q of the credentials", raw, msg, g)
					}
					if strings.ContainsAny(userinfo, "/?#") {
						spilled++
						if !strings.Contains(msg, "%3F") || !strings.Contains(msg, "%23") {
							t.Errorf("ParseSMTPURL(%q) = %q: want the advice to percent-encode ? and #", raw, msg)
						}
					}
				}
			}
		}
	}
	// The loop must have met errors of every kind, the advice among them.
	if failures < 1000 || spilled < 500 {
		t.Errorf("%d errors, %d for an unescaped /, ? or #: the cases do not exercise the errors", failures, spilled)
	}
}

// The advice for a misplaced credential must not swallow the errors about
// the query when the credentials are fine.
func TestParseSMTPURLQueryErrors(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"smtp://user:pa%3Fss@localhost:25?tls=none", ""},
		{"smtp://user:pa%23ss@host:587", ""},
		{"smtp://user:pass@host:587?foo=bar", `invalid SMTP URL: unknown parameter "foo" (only tls=none is accepted)`},
		{"smtp://user:pass@host:587?tls=maybe", `invalid SMTP URL: unknown tls="maybe" (want tls=none for a local relay)`},
		{"smtp://user:pa?ss@host:587", "invalid SMTP URL: a /, ? or # in the username or password must be percent-encoded, as %2F, %3F or %23"},
		{"smtp://us#er:pass@host:587", "invalid SMTP URL: a /, ? or # in the username or password must be percent-encoded, as %2F, %3F or %23"},
		{"smtp://host?x@y", "invalid SMTP URL: a /, ? or # in the username or password must be percent-encoded, as %2F, %3F or %23"},
	}
	for _, tt := range tests {
		cfg, err := ParseSMTPURL(tt.raw)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ParseSMTPURL(%q): %v", tt.raw, err)
		case tt.want == "" && !strings.ContainsAny(cfg.Password, "?#"):
			t.Errorf("ParseSMTPURL(%q): password %q, want the escaped ? or # decoded", tt.raw, cfg.Password)
		case tt.want != "" && (err == nil || err.Error() != tt.want):
			t.Errorf("ParseSMTPURL(%q) error = %v, want %q", tt.raw, err, tt.want)
		}
	}
}

// FuzzParseSMTPURLHidesCredentials checks that the error for a URL does not
// depend on the letters of its credentials: a message that quoted any of
// them would change when they change. Only letters that are no hex digit
// are changed, so percent-escapes stay as valid as they were.
func FuzzParseSMTPURLHidesCredentials(f *testing.F) {
	f.Add("user", "pa?ss", "host:587")
	f.Add("us?er", "pass", "host:587")
	f.Add("user", "pa#ss", "host")
	f.Add("user", "pa/ss", "host:587?tls=none")
	f.Add("user", "pa%ss", "host")
	f.Add("us er", "pass", "host")
	f.Add("user", "12?tls=maybe", "host")
	f.Add("user", "pass", "host?foo=bar")
	f.Fuzz(func(t *testing.T, user, pass, tail string) {
		raw := "smtp://" + user + ":" + pass + "@" + tail
		_, err := ParseSMTPURL(raw)
		shifted := "smtp://" + shiftLetters(user) + ":" + shiftLetters(pass) + "@" + tail
		_, err2 := ParseSMTPURL(shifted)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("ParseSMTPURL(%q) = %v but ParseSMTPURL(%q) = %v", raw, err, shifted, err2)
		}
		if err != nil && err.Error() != err2.Error() {
			t.Errorf("the error depends on the credentials:\n%q: %v\n%q: %v", raw, err, shifted, err2)
		}
	})
}

// shiftLetters replaces each letter from g to z, either case, by the next
// one, z by g.
func shiftLetters(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'g' && r < 'z', r >= 'G' && r < 'Z':
			return r + 1
		case r == 'z', r == 'Z':
			return r - 19
		}
		return r
	}, s)
}

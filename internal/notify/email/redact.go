package email

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// redact removes password from s in every spelling an SMTP server or
// go-mail may show it in: as is, percent-encoded, Go-quoted, and
// base64-encoded, which is how AUTH sends it. Servers that quote a refused
// AUTH line back ("535 5.7.8 Authentication failed: AHVzZXIAc2VjcmV0")
// show the AUTH PLAIN response, base64("authzid\x00username\x00password"),
// or, for AUTH LOGIN, base64(password). Beyond those exact spellings, any
// base64 token whose decoding shows the password goes too.
//
// The username is not a secret (Redacted shows it) and base64(username),
// the first AUTH LOGIN answer, is kept; the PLAIN response holding it is not.
//
// A short password is only replaced where it stands alone: a password "x"
// must not turn "Mailbox" into "Mailboxxxxx", and a short string inside a
// word reveals nothing.
func redact(s, username, password string) string {
	if password == "" {
		return s
	}
	for _, p := range spellings(username, password) {
		if len(p) >= minEmbeddedSecret {
			s = strings.ReplaceAll(s, p, redactedPassword)
		} else {
			s = replaceStandalone(s, p)
		}
	}
	return redactBase64(s, username, password)
}

// minEmbeddedSecret is the length from which a password is replaced even
// inside a longer word.
const minEmbeddedSecret = 6

// encodings are the base64 alphabets and paddings a server may use.
var encodings = []*base64.Encoding{
	base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
}

// spellings are the forms of password to replace, longest first, so that
// a form containing a shorter one goes as a whole.
func spellings(username, password string) []string {
	quoted := strconv.Quote(password)
	forms := []string{password, url.QueryEscape(password), url.PathEscape(password), quoted[1 : len(quoted)-1]}
	// AUTH LOGIN sends the password alone; AUTH PLAIN sends
	// authzid NUL username NUL password, go-mail with an empty authzid.
	for _, blob := range []string{password, "\x00" + username + "\x00" + password, username + "\x00" + username + "\x00" + password} {
		for _, enc := range encodings {
			b64 := enc.EncodeToString([]byte(blob))
			forms = append(forms, b64, url.QueryEscape(b64))
		}
	}
	slices.SortFunc(forms, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	return slices.Compact(forms)
}

// replaceStandalone replaces the occurrences of p not touching a letter or digit.
func replaceStandalone(s, p string) string {
	var b strings.Builder
	for start := 0; ; {
		i := strings.Index(s[start:], p)
		if i < 0 {
			b.WriteString(s[start:])
			return b.String()
		}
		i += start
		end := i + len(p)
		b.WriteString(s[start:i])
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			b.WriteString(redactedPassword)
		} else {
			b.WriteString(p)
		}
		start = end
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// redactBase64 replaces each run of base64 characters, with its padding,
// whose decoding shows the password: in either alphabet, whether or not
// the run starts on a 4-character boundary of the encoded text, and when
// the server cut the run short.
func redactBase64(s, username, password string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if !isBase64Byte(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := i
		for end < len(s) && isBase64Byte(s[end]) {
			end++
		}
		padded := end
		for padded < len(s) && s[padded] == '=' {
			padded++
		}
		if decodesToSecret(s[i:end], username, password) {
			b.WriteString(redactedPassword)
		} else {
			b.WriteString(s[i:padded])
		}
		i = padded
	}
	return b.String()
}

// isBase64Byte matches both base64 alphabets, padding aside.
func isBase64Byte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '+' || c == '/' || c == '-' || c == '_'
}

// decodesToSecret reports whether run, decoded from any offset in either
// alphabet, shows the password.
func decodesToSecret(run, username, password string) bool {
	for off := 0; off < 4 && len(run)-off >= 2; off++ {
		t := run[off:]
		if len(t)%4 == 1 {
			t = t[:len(t)-1] // a cut-off run: decode what is whole
		}
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			if d, err := enc.DecodeString(t); err == nil && showsSecret(d, username, password) {
				return true
			}
		}
	}
	return false
}

// showsSecret reports whether decoded bytes show the password: contain it
// (a short one only as the whole text or as the last field of an AUTH
// PLAIN response, since short strings turn up in random bytes), or its
// start, when a cut-off AUTH PLAIN response ends in it or a cut-off
// base64(password) decodes to it.
func showsSecret(d []byte, username, password string) bool {
	p := []byte(password)
	if len(p) >= minEmbeddedSecret && bytes.Contains(d, p) {
		return true
	}
	if bytes.Equal(d, p) {
		return true
	}
	if i := bytes.LastIndex(d, []byte("\x00"+username+"\x00")); i >= 0 {
		tail := d[i+len(username)+2:]
		if len(tail) > 0 && (bytes.HasPrefix(p, tail) || bytes.HasPrefix(tail, p)) {
			return true
		}
	}
	return len(d) >= min(3, len(p)) && bytes.HasPrefix(p, d)
}

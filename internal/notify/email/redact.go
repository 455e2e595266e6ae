package email

import (
	"net/url"
	"slices"
	"strings"
)

// redact removes password, as is and percent-encoded, from s. A short
// password is only replaced where it stands alone: a password "x" must not
// turn "Mailbox" into "Mailboxxxxx", and a short string inside a word
// reveals nothing.
func redact(s, password string) string {
	if password == "" {
		return s
	}
	variants := []string{password, url.QueryEscape(password), url.PathEscape(password)}
	for i, p := range variants {
		if slices.Contains(variants[:i], p) {
			continue
		}
		if len(p) >= minEmbeddedSecret {
			s = strings.ReplaceAll(s, p, redactedPassword)
		} else {
			s = replaceStandalone(s, p)
		}
	}
	return s
}

// minEmbeddedSecret is the length from which a password is replaced even
// inside a longer word.
const minEmbeddedSecret = 6

// replaceStandalone replaces the occurrences of p not touching a letter or digit.
func replaceStandalone(s, p string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, p)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(p)
		b.WriteString(s[:i])
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			b.WriteString(redactedPassword)
		} else {
			b.WriteString(p)
		}
		s = s[end:]
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

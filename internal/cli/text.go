package cli

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean makes a value that came from a request or an API answer safe to
// print on one line of a terminal: control characters (newlines and escape
// sequences included), Unicode bidirectional overrides and invalid UTF-8
// are shown escaped, as in a Go string literal, so that a sender can neither
// forge another line nor drive the terminal.
func clean(s string) string {
	if isClean(s, false) {
		return s
	}
	return escape(s, false)
}

// cleanText is clean for multi-line output shown on a terminal: newlines
// and tabs stay as they are.
func cleanText(s string) string {
	if isClean(s, true) {
		return s
	}
	return escape(s, true)
}

func isClean(s string, multiline bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return isCleanSlow(s, multiline)
		}
	}
	return true
}

func isCleanSlow(s string, multiline bool) bool {
	for _, r := range s {
		if unsafeRune(r, multiline) {
			return false
		}
	}
	return utf8.ValidString(s)
}

// unsafeRune reports whether r must be escaped: C0 and C1 controls, DEL,
// and the formatting characters that reorder or hide text.
func unsafeRune(r rune, multiline bool) bool {
	if multiline && (r == '\n' || r == '\t') {
		return false
	}
	switch {
	case r == utf8.RuneError:
		return true
	case unicode.IsControl(r):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidirectional overrides, isolates and marks
	}
	return false
}

func escape(s string, multiline bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unsafeRune(r, multiline):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// validUTF8 returns b with invalid UTF-8 replaced by U+FFFD, and whether it
// had any. In JSON, bytes outside ASCII occur only inside strings, so the
// result is JSON that every parser accepts.
func validUTF8(b []byte) ([]byte, bool) {
	if utf8.Valid(b) {
		return b, false
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD")), true
}

// oneLine keeps a message on one line: runs of white space become one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

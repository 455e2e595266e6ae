package listener

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"strings"

	"github.com/replicate/replicate-go"
)

// maxNestingDepth is encoding/json's: a body nested deeper is invalid.
const maxNestingDepth = 10000

// decodeSummary checks that body is one valid JSON object, exactly as
// json.Valid does, and reads its Summary as json.Unmarshal would, in one
// pass over the bytes instead of encoding/json's two (its validity scan,
// then the decoding, both a byte at a time through a state machine). The
// bodies are mostly long strings (logs, inputs, outputs), which it crosses
// eight bytes at a time. The few bodies whose summary fields it does not
// decode itself (escapes, non-ASCII, a key matching only case-insensitively,
// a value that is not a plain string) are handed to json.Unmarshal.
func decodeSummary(body []byte) (Summary, bool) {
	var s summaryScan
	if !isJSONObject(body) || !s.scan(body) {
		return Summary{}, false
	}
	if s.slow {
		var p Summary
		if json.Unmarshal(body, &p) != nil {
			return Summary{}, false
		}
		return p, true
	}
	return s.summary(body), true
}

// summaryScan is decodeSummary's state.
type summaryScan struct {
	// fields are the spans of the plain string values of the top-level
	// "id", "status" and "model" in the body, in that order; a zero span
	// for a field not there.
	fields [3]span
	slow   bool // the fast path cannot decode the summary exactly: use json.Unmarshal
}

// span is where a value lies in the body: b[start:end].
type span struct{ start, end int }

// Indexes of summaryScan.fields.
const (
	fieldID = iota
	fieldStatus
	fieldModel
	noField = -1
)

// summary copies the fields out of body, in one string: the Summary keeps
// no reference to the body, which may be cut to a prefix.
func (s *summaryScan) summary(body []byte) Summary {
	n := 0
	for _, f := range s.fields {
		n += f.end - f.start
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range s.fields {
		b.Write(body[f.start:f.end])
	}
	all, at := b.String(), 0
	var str [3]string
	for i, f := range s.fields {
		str[i], at = all[at:at+f.end-f.start], at+f.end-f.start
	}
	return Summary{ID: str[fieldID], Status: replicate.Status(str[fieldStatus]), Model: str[fieldModel]}
}

// scan states: where the scanner is in the grammar.
const (
	wantValue  = iota // a value starts next
	wantKey           // an object's key starts next (after ',')
	afterValue        // a value ended: ',', a closing bracket, or the end
	wantFirst         // after '{' or '[': its closing bracket, or its first key or value
)

// scan validates b as one JSON value and records the summary fields of the
// top-level object in s.
func (s *summaryScan) scan(b []byte) bool {
	var small [64]bool
	stack := small[:0] // true for an object, false for an array
	want := noField    // the summary field the next value sets, if any
	state := wantValue
	i := 0
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return state == afterValue && len(stack) == 0
		}
		c := b[i]
		switch state {
		case wantFirst:
			inObject := stack[len(stack)-1]
			switch {
			case c == '}' && inObject, c == ']' && !inObject:
				stack, i, state = stack[:len(stack)-1], i+1, afterValue
			case inObject:
				state = wantKey
			default:
				state = wantValue
			}
		case wantKey:
			if c != '"' {
				return false
			}
			end, plain := scanString(b, i)
			if end < 0 {
				return false
			}
			if len(stack) == 1 {
				want = s.field(b[i+1:end-1], plain)
			}
			i = skipSpace(b, end)
			if i >= len(b) || b[i] != ':' {
				return false
			}
			i, state = i+1, wantValue
		case afterValue:
			if len(stack) == 0 {
				return false // something after the value
			}
			inObject := stack[len(stack)-1]
			switch {
			case c == ',' && inObject:
				state = wantKey
			case c == ',':
				state = wantValue
			case c == '}' && inObject, c == ']' && !inObject:
				stack = stack[:len(stack)-1]
			default:
				return false
			}
			i++
		case wantValue:
			field := want
			want = noField
			var end int
			switch {
			case c == '{' || c == '[':
				if len(stack) == maxNestingDepth {
					return false
				}
				stack = append(stack, c == '{')
				i, state = i+1, wantFirst
				s.setField(field, span{}, false)
				continue
			case c == '"':
				var plain bool
				end, plain = scanString(b, i)
				if end >= 0 {
					s.setField(field, span{i + 1, end - 1}, plain)
				}
			default:
				end = scanLiteral(b, i)
				s.setField(field, span{}, false)
			}
			if end < 0 {
				return false
			}
			i, state = end, afterValue
		}
	}
}

// The top-level keys the summary reads.
var (
	keyID     = []byte("id")
	keyStatus = []byte("status")
	keyModel  = []byte("model")
)

// field returns the summary field a top-level key sets, or noField. A key
// the fast path cannot match exactly as encoding/json does (it accepts a
// case-insensitive match, and keys with escapes) makes the scan slow.
func (s *summaryScan) field(key []byte, plain bool) int {
	switch {
	case !plain:
		s.slow = true
	case bytes.Equal(key, keyID):
		return fieldID
	case bytes.Equal(key, keyStatus):
		return fieldStatus
	case bytes.Equal(key, keyModel):
		return fieldModel
	case bytes.EqualFold(key, keyID), bytes.EqualFold(key, keyStatus), bytes.EqualFold(key, keyModel):
		s.slow = true
	}
	return noField
}

// setField records the span of a plain string value of a summary field
// (a later key wins, as in encoding/json); any other value (null, a number,
// a string with escapes or non-ASCII bytes) makes the scan slow, for
// json.Unmarshal to decode or refuse it.
func (s *summaryScan) setField(field int, value span, plain bool) {
	switch {
	case field == noField:
	case !plain:
		s.slow = true
	default:
		s.fields[field] = value
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// SWAR constants: a byte of ones and the high bit of every byte.
const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// scanString checks the string starting at b[i] == '"' and returns the
// index after its closing quote, or -1 when it is invalid (a control
// character, a bad escape, no end). plain reports that it holds neither
// escapes nor bytes above 0x7F, so its bytes are its value. Like
// encoding/json's scanner, it does not check UTF-8.
func scanString(b []byte, i int) (end int, plain bool) {
	var high uint64
	plain = true
	i++
	for {
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			q := x ^ (lo8 * '"')
			bs := x ^ (lo8 * '\\')
			// A zero byte in q or bs, or a byte below 0x20 in x: the
			// lowest bit set marks the first such byte exactly (a
			// borrow can only mark bytes above it).
			if m := ((q-lo8)&^q | (bs-lo8)&^bs | (x-lo8*0x20)&^x) & hi8; m != 0 {
				n := bits.TrailingZeros64(m) / 8
				high |= x & (1<<(8*n) - 1)
				i += n
				break
			}
			high |= x
			i += 8
		}
		if i >= len(b) {
			return -1, false
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, plain && high&hi8 == 0
		case c == '\\':
			plain = false
			i = scanEscape(b, i)
			if i < 0 {
				return -1, false
			}
		case c < 0x20:
			return -1, false
		default:
			high |= uint64(c)
			i++
		}
	}
}

// scanEscape checks the escape at b[i] == '\\' and returns the index after
// it, or -1.
func scanEscape(b []byte, i int) int {
	if i+1 >= len(b) {
		return -1
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
		if i+6 > len(b) {
			return -1
		}
		for _, h := range b[i+2 : i+6] {
			if !isHex(h) {
				return -1
			}
		}
		return i + 6
	}
	return -1
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// scanLiteral checks the number, true, false or null at b[i] and returns
// the index after it, or -1.
func scanLiteral(b []byte, i int) int {
	for _, lit := range [...]string{"true", "false", "null"} {
		if b[i] == lit[0] {
			if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
				return i + len(lit)
			}
			return -1
		}
	}
	return scanNumber(b, i)
}

// scanNumber checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at b[i].
func scanNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i = digits(b, i+1); i < 0 {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i = digits(b, i); i < 0 {
			return -1
		}
	}
	return i
}

// digits skips one or more digits at b[i], or returns -1 when there is none.
func digits(b []byte, i int) int {
	start := i
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	if i == start {
		return -1
	}
	return i
}

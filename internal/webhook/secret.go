package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// secretPrefix marks a Standard Webhooks symmetric secret.
const secretPrefix = "whsec_"

// redacted is what every fmt verb prints for a Secret.
const redacted = secretPrefix + "[redacted]"

// generatedKeyBytes is the key length of GenerateSecret, inside the 24..64
// bytes that Standard Webhooks recommends.
const generatedKeyBytes = 32

// Secret is a decoded signing key. Its String, GoString and Format methods
// never reveal the key. The zero Secret is unset: Verify refuses it.
type Secret struct {
	// k returns the key. It is a closure because fmt prints a func as an
	// address, even when it dumps a struct that holds a Secret in an
	// unexported field (where Format is not called): the key stays hidden.
	k func() []byte
}

// ParseSecret decodes "whsec_<base64>" or bare standard base64 (surrounding
// white space is ignored). The key must decode to at least one byte.
//
// The specification gives 24 to 64 bytes (docs/replicate.md, "Signatures"),
// but that is its advice to senders: the reference libraries accept any non-empty key, and refusing the
// key a sender actually uses would only make every delivery fail. Errors wrap
// ErrBadSecret and never contain s.
func ParseSecret(s string) (Secret, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, secretPrefix)
	if s == "" {
		return Secret{}, fmt.Errorf("%w: empty", ErrBadSecret)
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		// The decoder's error only names an offset, but say less anyway.
		return Secret{}, fmt.Errorf("%w: not valid base64", ErrBadSecret)
	}
	if len(key) == 0 {
		return Secret{}, fmt.Errorf("%w: empty key", ErrBadSecret)
	}
	return Secret{k: func() []byte { return key }}, nil
}

// GenerateSecret returns a new "whsec_..." string holding 32 random bytes
// read from r, or from crypto/rand when r is nil.
func GenerateSecret(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	key := make([]byte, generatedKeyBytes)
	if _, err := io.ReadFull(r, key); err != nil {
		return "", fmt.Errorf("generating webhook secret: %w", err)
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// IsZero reports whether s is unset.
func (s Secret) IsZero() bool { return s.k == nil }

// String returns "whsec_[redacted]".
func (s Secret) String() string { return redacted }

// GoString returns "whsec_[redacted]", for %#v.
func (s Secret) GoString() string { return redacted }

// Format prints "whsec_[redacted]" for every verb, so no fmt verb or flag can
// reveal the key.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// key returns the raw key bytes, nil when s is unset.
func (s Secret) key() []byte {
	if s.k == nil {
		return nil
	}
	return s.k()
}

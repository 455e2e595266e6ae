package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sign returns the "v1,<base64>" signature of body for message id at ts:
// HMAC-SHA256 over "<id>.<unix seconds>.<body>" (docs/replicate.md, "Signatures"). An unset
// Secret signs with an empty key.
func (s Secret) Sign(id string, ts time.Time, body []byte) string {
	mac := s.mac(id, strconv.FormatInt(ts.Unix(), 10), body)
	return "v1," + base64.StdEncoding.EncodeToString(mac)
}

// SignHeaders sets the three webhook headers on h for body.
func (s Secret) SignHeaders(h http.Header, id string, ts time.Time, body []byte) {
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, s.Sign(id, ts, body))
}

// Verify checks the headers and raw body of a delivery received at now, with
// the DefaultTolerance replay window.
func (s Secret) Verify(h http.Header, body []byte, now time.Time) error {
	return s.VerifyTolerance(h, body, now, DefaultTolerance)
}

// VerifyTolerance checks the headers and raw body of a delivery received at
// now. Timestamps further than tol from now, in either direction, fail with
// a *TimestampError. The delivery passes when any v1 entry of the signature
// list matches; entries of another version, without a comma or with bad
// base64 are skipped, so they never hide a valid entry.
func (s Secret) VerifyTolerance(h http.Header, body []byte, now time.Time, tol time.Duration) error {
	if s.IsZero() {
		return fmt.Errorf("%w: not set", ErrBadSecret)
	}
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if missing := missingHeaders(id, tsText, sigs); missing != "" {
		return fmt.Errorf("%w: %s", ErrMissingHeaders, missing)
	}
	ts, err := parseTimestamp(tsText)
	if err != nil {
		return err
	}
	if err := checkWindow(ts, now, tol); err != nil {
		return err
	}
	want := s.mac(id, tsText, body)
	for _, got := range parseSignatureHeader(sigs) {
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrBadSignature
}

// mac computes HMAC-SHA256 of "<id>.<ts>.<body>". The timestamp is signed as
// received, the way the sender wrote it.
func (s Secret) mac(id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, s.key())
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

func missingHeaders(id, ts, sig string) string {
	var names []string
	for _, p := range [][2]string{{HeaderID, id}, {HeaderTimestamp, ts}, {HeaderSignature, sig}} {
		if strings.TrimSpace(p[1]) == "" {
			names = append(names, p[0])
		}
	}
	return strings.Join(names, ", ")
}

// parseTimestamp accepts decimal Unix seconds, digits only.
func parseTimestamp(text string) (time.Time, error) {
	for _, c := range text {
		if c < '0' || c > '9' {
			return time.Time{}, fmt.Errorf("%w: non-numeric %s %s", ErrMalformedHeaders, HeaderTimestamp, quoteShort(text))
		}
	}
	secs, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s out of range", ErrMalformedHeaders, HeaderTimestamp)
	}
	return time.Unix(secs, 0), nil
}

func checkWindow(ts, now time.Time, tol time.Duration) error {
	skew := now.Sub(ts) // saturates for absurd timestamps
	future := skew < 0
	if future {
		skew = ts.Sub(now)
	}
	if skew > tol {
		return &TimestampError{Skew: skew, Future: future}
	}
	return nil
}

// parseSignatureHeader returns the decoded digests of the well-formed v1
// entries of a webhook-signature value, skipping everything else.
func parseSignatureHeader(value string) [][]byte {
	var out [][]byte
	for _, entry := range strings.Fields(value) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(sig)
		if err != nil || len(raw) == 0 {
			continue
		}
		out = append(out, raw)
	}
	return out
}

// quoteShort quotes an untrusted header value for an error message, cut to a
// readable length.
func quoteShort(s string) string {
	const maxLen = 32
	if len(s) > maxLen {
		return strconv.Quote(s[:maxLen]) + "..."
	}
	return strconv.Quote(s)
}

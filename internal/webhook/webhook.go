// Package webhook signs and verifies Standard Webhooks deliveries.
package webhook

import (
	"errors"
	"fmt"
	"time"
)

// Header names of a Standard Webhooks delivery (docs/replicate.md, "Signatures").
const (
	// HeaderID carries the message id, stable across retries; use it as the
	// idempotency key.
	HeaderID = "webhook-id"
	// HeaderTimestamp carries the Unix time in seconds of this attempt.
	HeaderTimestamp = "webhook-timestamp"
	// HeaderSignature carries a space-separated list of "<version>,<base64>"
	// entries.
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is the replay window in both directions: timestamps more
// than this far in the past or in the future are refused. It is the Standard
// Webhooks libraries' figure; Replicate documents none (docs/replicate.md, "Signatures").
const DefaultTolerance = 5 * time.Minute

// Errors returned by ParseSecret and the Verify methods; test them with
// errors.Is. None of their messages ever contains the secret.
var (
	// ErrMissingHeaders means one of the three webhook headers is absent or
	// empty.
	ErrMissingHeaders = errors.New("missing signature headers")
	// ErrMalformedHeaders means a header is present but unusable, such as a
	// non-numeric timestamp.
	ErrMalformedHeaders = errors.New("malformed signature headers")
	// ErrBadSignature means no v1 signature entry matched the content.
	ErrBadSignature = errors.New("bad signature")
	// ErrBadSecret means a signing secret could not be parsed or is unset.
	ErrBadSecret = errors.New("bad webhook secret")
)

// TimestampError reports a delivery whose timestamp lies outside the replay
// window. Skew is the absolute distance between the timestamp and now.
type TimestampError struct {
	// Skew is how far the timestamp is from now (always positive).
	Skew time.Duration
	// Future is true when the timestamp lies ahead of now.
	Future bool
}

// Error describes the skew rounded to the second, e.g.
// "stale timestamp (skew 7m2s)".
func (e *TimestampError) Error() string {
	skew := e.Skew.Round(time.Second)
	if e.Future {
		return fmt.Sprintf("timestamp in the future (skew %v)", skew)
	}
	return fmt.Sprintf("stale timestamp (skew %v)", skew)
}

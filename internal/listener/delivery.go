package listener

import (
	"net/http"
	"time"

	"github.com/replicate/replicate-go"
)

// Verdict says what the listener made of a request.
type Verdict string

// The verdicts a Delivery can carry.
const (
	// Verified means the signature was checked and is valid.
	Verified Verdict = "verified"
	// Unverified means the delivery was accepted under SkipVerify although
	// its signature was absent, bad or not checked.
	Unverified Verdict = "unverified"
	// Rejected means the request was answered with an error status and not
	// processed.
	Rejected Verdict = "rejected"
	// Duplicate means the webhook-id was accepted before: the request was
	// answered 2xx but is not processed again.
	Duplicate Verdict = "duplicate"
)

// Delivery is one request that reached the listener, accepted or not.
type Delivery struct {
	// WebhookID is the webhook-id header, empty when absent.
	WebhookID string
	// ReceivedAt is when the request arrived, from Config.Now.
	ReceivedAt time.Time
	// Verdict says whether the delivery is to be processed.
	Verdict Verdict
	// Reason explains a Rejected, Unverified or Duplicate verdict, e.g.
	// "bad signature", "stale timestamp (skew 7m2s)", "body too large",
	// "duplicate". It is empty for Verified deliveries.
	Reason string
	// Status is the HTTP status the listener answered.
	Status int
	// Method, Path and RemoteAddr describe the request.
	Method, Path, RemoteAddr string
	// Header is a copy of the request headers.
	Header http.Header
	// Body is the raw body as received: whole for an accepted delivery, at
	// most its first BodyPrefixBytes for a Rejected or Duplicate one. It is
	// nil when the body was not read (wrong path or method, 503 "busy") or
	// was too large. The listener never reuses it: OnDelivery may keep it.
	Body []byte
	// Size is how many bytes of body were received; for a 413, the limit
	// that was reached.
	Size int64
	// Truncated reports that Body holds only a prefix of the Size bytes
	// received (always so for a 413, whose Body is nil).
	Truncated bool
	// Prediction is the decoded body when it is a prediction, the Verdict
	// being Verified, Unverified or Duplicate (or Rejected when the queue
	// was full or closed); nil otherwise. When Truncated it holds only the
	// id, status, model, version and timestamps, and RawJSON returns just
	// those fields, so that it keeps no reference to the whole body.
	Prediction *replicate.Prediction
}

// Accepted reports whether the delivery is to be processed: Verified or
// Unverified.
func (d Delivery) Accepted() bool {
	return d.Verdict == Verified || d.Verdict == Unverified
}

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
	// Body is the raw body as received; nil when it was too large or not read.
	Body []byte
	// Prediction is the decoded body when it is a JSON object; nil otherwise.
	Prediction *replicate.Prediction
}

// Accepted reports whether the delivery is to be processed: Verified or
// Unverified.
func (d Delivery) Accepted() bool {
	return d.Verdict == Verified || d.Verdict == Unverified
}

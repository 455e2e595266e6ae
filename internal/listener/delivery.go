package listener

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
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
	// Header is the request's headers, shared by the copies of a Delivery:
	// read them, never change them.
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
	// Prediction is what the listener read of the body when it is a
	// prediction (the Verdict being Verified, Unverified or Duplicate, or
	// Rejected when the queue was full or closed): its id, status and
	// model; nil otherwise. Decode gives the whole prediction.
	Prediction *Summary

	full *decoded // Decode's result, shared by the copies of a Delivery
}

// Summary is what the listener reads of a prediction: no more than it needs
// to check and show it, so that a delivery is decoded once and cheaply.
type Summary struct {
	ID     string           `json:"id"`
	Status replicate.Status `json:"status"`
	Model  string           `json:"model"`
}

// decoded is a Delivery's body decoded as a whole prediction, once.
type decoded struct {
	once sync.Once
	p    *replicate.Prediction
	err  error
}

// errNotDecodable is Decode's error for a delivery without a whole
// prediction body: not a prediction, or cut to a prefix.
var errNotDecodable = errors.New("the delivery holds no whole prediction")

// Decode decodes the body as a whole prediction (replicate-go's type, with
// RawJSON set), the first time it is called for this delivery or any copy
// of it; later calls return the same prediction. It fails for a delivery
// whose body is not a whole prediction.
func (d Delivery) Decode() (*replicate.Prediction, error) {
	if d.full == nil || d.Prediction == nil || d.Truncated {
		return nil, errNotDecodable
	}
	d.full.once.Do(func() {
		var p replicate.Prediction
		if err := json.Unmarshal(d.Body, &p); err != nil {
			d.full.err = fmt.Errorf("decoding the prediction: %w", err)
			return
		}
		d.full.p = &p
	})
	return d.full.p, d.full.err
}

// Accepted reports whether the delivery is to be processed: Verified or
// Unverified.
func (d Delivery) Accepted() bool {
	return d.Verdict == Verified || d.Verdict == Unverified
}

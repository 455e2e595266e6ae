// Package notify tells people how predictions went, through channels such as
// email: a Dispatcher sends each Notification from a bounded queue per
// channel, retries temporary failures, and on the way out gives the queue one
// bounded grace period and says what was not sent.
package notify

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/replicate/replicate-go"
)

// Kind says what a Notification is about.
type Kind int

const (
	// KindResult is one prediction's result.
	KindResult Kind = iota + 1
	// KindSummary is a batch's summary, such as smoke mode's.
	KindSummary
	// KindAlert is a failure-rate alert or its recovery.
	KindAlert
)

// Notification is what to tell; each channel renders it its own way.
type Notification struct {
	Kind Kind

	// Prediction and Raw, its JSON as received, are the result (KindResult).
	Prediction *replicate.Prediction
	Raw        json.RawMessage
	// Notes are shown above the details, e.g. "webhook not received".
	Notes []string

	// Title, Lines, Failed and Statuses are the summary (KindSummary):
	// Failed when its verdict failed, Statuses those its predictions ended in.
	Title    string
	Lines    []string
	Failed   bool
	Statuses []replicate.Status

	// Alert is the failure-rate alert (KindAlert).
	Alert *Alert

	// What names the notification in messages, e.g. "the test email";
	// empty means one made from its kind (see Describe).
	What string
}

// Alert describes a failure-rate transition: the counts are those of the
// window when it happened.
type Alert struct {
	// Recovered is false when the rate crossed the threshold, true when it
	// fell back below it.
	Recovered bool
	// Failures and Total count the predictions completed in the window.
	Failures, Total int
	// Threshold is the configured failure rate, from 0 to 1.
	Threshold float64
	// Window is how far back predictions are counted.
	Window time.Duration
	// At is when it happened.
	At time.Time
	// Model is the model of the prediction that tipped it, when known: a
	// channel may use it to group alerts.
	Model string
	// Recent lists recent failed predictions, one line each.
	Recent []string
}

// Describe names n in messages: What when set, else "the result of
// prediction p_1 (failed)", "the summary", "the alert" or "the recovery".
func (n Notification) Describe() string {
	switch {
	case n.What != "":
		return n.What
	case n.Kind == KindResult && n.Prediction != nil:
		return "the result of prediction " + n.Prediction.ID + " (" + string(n.Prediction.Status) + ")"
	case n.Kind == KindResult:
		return "the result"
	case n.Kind == KindSummary:
		return "the summary"
	case n.Kind == KindAlert && n.Alert != nil && n.Alert.Recovered:
		return "the recovery"
	case n.Kind == KindAlert:
		return "the alert"
	}
	return "a notification"
}

// Channel is one way of telling people: email to some addresses, a chat
// webhook. Send makes one attempt, or retries on its own and then returns
// errors without a Temporary method.
type Channel interface {
	// Name identifies the channel in messages, without secrets, e.g.
	// "email to ops@example.com".
	Name() string
	// Send delivers n. An error whose Temporary method reports true is
	// retried by the Dispatcher.
	Send(ctx context.Context, n Notification) error
}

// Route is a channel and the prediction statuses it wants results for.
type Route struct {
	Channel Channel
	// On lists the statuses whose results are sent; nil means every terminal
	// status. Summaries go when their verdict failed or when one of their
	// statuses is in On; alerts always go.
	On []replicate.Status
}

// Wants reports whether n should go through r.
func (r Route) Wants(n Notification) bool {
	switch n.Kind {
	case KindResult:
		return n.Prediction != nil && r.wantsStatus(n.Prediction.Status)
	case KindSummary:
		return n.Failed || slices.ContainsFunc(n.Statuses, r.wantsStatus)
	}
	return true
}

func (r Route) wantsStatus(s replicate.Status) bool {
	return r.On == nil || slices.Contains(r.On, s)
}

// ShortDuration shows d without zero units, as alerts name their window:
// 10m rather than 10m0s, 1h rather than 1h0m0s.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

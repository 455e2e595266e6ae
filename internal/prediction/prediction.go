// Package prediction says what notifier knows about a Replicate prediction:
// which statuses are final, how its error reads, where its page is, and how
// long each phase took.
package prediction

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/replicate/replicate-go"
)

// Aborted is the status of a prediction whose deadline passed before it
// started. replicate-go has no constant for it, and clients that forget it
// poll forever (docs/replicate.md, "The prediction object").
const Aborted replicate.Status = "aborted"

// Statuses lists every status a prediction can have, in lifecycle order.
func Statuses() []replicate.Status {
	return []replicate.Status{
		replicate.Starting, replicate.Processing,
		replicate.Succeeded, replicate.Failed, replicate.Canceled, Aborted,
	}
}

// TerminalStatuses lists the statuses a prediction ends in.
func TerminalStatuses() []replicate.Status {
	return []replicate.Status{replicate.Succeeded, replicate.Failed, replicate.Canceled, Aborted}
}

// Terminal reports whether a prediction in status s will not change again:
// succeeded, failed, canceled or aborted.
func Terminal(s replicate.Status) bool {
	return s.Terminated() || s == Aborted
}

// Known reports whether s is one of Statuses.
func Known(s replicate.Status) bool {
	switch s {
	case replicate.Starting, replicate.Processing, replicate.Succeeded, replicate.Failed, replicate.Canceled, Aborted:
		return true
	}
	return false
}

// ErrorText renders a prediction's error field: a string as it is, any other
// value as JSON, nil as "".
func ErrorText(e any) string {
	switch e := e.(type) {
	case nil:
		return ""
	case string:
		return e
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Sprint(e)
	}
	return string(b)
}

// WebURL is the prediction's page: urls.web when Replicate sent it, else
// https://replicate.com/p/<id> with the id path-escaped; "" without an id.
func WebURL(p *replicate.Prediction) string {
	if web := p.URLs["web"]; web != "" {
		return web
	}
	if p.ID == "" {
		return ""
	}
	return "https://replicate.com/p/" + url.PathEscape(p.ID)
}

// EventName guesses which webhook event a snapshot was sent for: Replicate
// does not say (docs/replicate.md, "Webhooks"). A terminal status is
// "completed", starting is "start", anything else an "update" (output or logs).
func EventName(s replicate.Status) string {
	switch {
	case Terminal(s):
		return "completed"
	case s == replicate.Starting:
		return "start"
	}
	return "update"
}

// Round keeps a duration readable: microseconds under a millisecond,
// milliseconds under 10 s, tenths of a second above.
func Round(d time.Duration) time.Duration {
	switch a := d.Abs(); {
	case a < time.Millisecond:
		return d.Round(time.Microsecond)
	case a < 10*time.Second:
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// Package alert tracks the failure rate of recent predictions and says when
// it crosses a threshold and when it recovers.
package alert

import (
	"sort"
	"sync"
	"time"
)

// Transition is what an observation changed.
type Transition int

const (
	// None: no change worth an email.
	None Transition = iota
	// Fired: the failure rate reached the threshold while not alerting.
	Fired
	// Recovered: the failure rate fell below the threshold while alerting.
	Recovered
)

// String names the transition.
func (t Transition) String() string {
	switch t {
	case Fired:
		return "fired"
	case Recovered:
		return "recovered"
	}
	return "none"
}

// Counts are the predictions completed in the window at the last evaluation.
type Counts struct {
	Failures int // failed, canceled or aborted
	Total    int // all terminal statuses
}

// Rate is Failures/Total, 0 when there were none.
func (c Counts) Rate() float64 {
	if c.Total == 0 {
		return 0
	}
	return float64(c.Failures) / float64(c.Total)
}

// Tracker decides when to send failure-rate alerts: once when the share of
// failed predictions in the window reaches the rate, once when it falls
// back below it, and nothing in between, so a bad hour is one email, not a
// storm. It is safe for concurrent use.
type Tracker struct {
	rate     float64
	window   time.Duration
	minCount int

	mu       sync.Mutex
	events   []event // sorted by at
	alerting bool
	counts   Counts
}

type event struct {
	at     time.Time
	failed bool
}

// New tracks predictions completed within window: it fires when at least
// minCount of them are in the window and the failed share is ≥ rate (and at
// least one failed, so a rate of 0 does not fire on successes).
// A minCount below 1 counts as 1.
func New(rate float64, window time.Duration, minCount int) *Tracker {
	if minCount < 1 {
		minCount = 1
	}
	return &Tracker{rate: rate, window: window, minCount: minCount}
}

// Observe records a prediction that reached status at the given time and
// evaluates the window (at-window, at]. succeeded counts as a success;
// failed, canceled and aborted as failures (docs/replicate.md, "The prediction object"); other statuses
// are not terminal and change nothing.
func (t *Tracker) Observe(status string, at time.Time) Transition {
	var failed bool
	switch status {
	case "succeeded":
	case "failed", "canceled", "aborted":
		failed = true
	default:
		return None
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	i := sort.Search(len(t.events), func(i int) bool { return t.events[i].at.After(at) })
	t.events = append(t.events, event{})
	copy(t.events[i+1:], t.events[i:])
	t.events[i] = event{at: at, failed: failed}
	return t.evaluate(at)
}

// Check evaluates the window at a time without a new prediction, so a caller
// with a ticker can announce recovery once failures age out of the window.
func (t *Tracker) Check(at time.Time) Transition {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.evaluate(at)
}

// Counts returns the counts of the last evaluation, for the alert message.
func (t *Tracker) Counts() Counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts
}

// Alerting reports whether an alert fired and has not recovered yet.
func (t *Tracker) Alerting() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.alerting
}

// evaluate counts the window ending at at and moves the alert state.
// Fewer than minCount predictions never fire, but may recover: once the
// failed share is below the rate there is nothing left to alert about.
func (t *Tracker) evaluate(at time.Time) Transition {
	t.prune(at)
	var c Counts
	start := at.Add(-t.window)
	for _, e := range t.events {
		if e.at.After(start) && !e.at.After(at) {
			c.Total++
			if e.failed {
				c.Failures++
			}
		}
	}
	t.counts = c
	switch {
	case !t.alerting && c.Total >= t.minCount && c.Failures > 0 && c.Rate() >= t.rate:
		t.alerting = true
		return Fired
	case t.alerting && c.Rate() < t.rate:
		t.alerting = false
		return Recovered
	}
	return None
}

// prune drops events that have left the window of the latest time seen;
// observations may arrive a little out of order, so an earlier at prunes
// nothing newer.
func (t *Tracker) prune(at time.Time) {
	if n := len(t.events); n > 0 && t.events[n-1].at.After(at) {
		at = t.events[n-1].at
	}
	start := at.Add(-t.window)
	i := sort.Search(len(t.events), func(i int) bool { return t.events[i].at.After(start) })
	t.events = append(t.events[:0], t.events[i:]...)
}

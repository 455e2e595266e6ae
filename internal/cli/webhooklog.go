package cli

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/smoke"
)

// webhookLog follows the webhooks trigger's simulator sends: it shows each
// attempt (one prediction) or the refused ones (--count), and knows when a
// prediction's completed webhook is settled: answered 2xx, dropped, or
// refused on every attempt.
type webhookLog struct {
	pr      *progress
	verbose bool            // show every attempt
	retries []time.Duration // the simulator's schedule for the completed webhook
	on      bool            // a simulator reports to it; set before it starts

	mu       sync.Mutex
	attempts map[string]int           // completed-webhook attempts by prediction
	outcome  map[string]string        // "" accepted, else the last refusal, once settled
	settled  map[string]chan struct{} // closed once the completed webhook is settled
	answers  map[string]int           // every attempt's answer, counted
}

func newWebhookLog(pr *progress, verbose bool) *webhookLog {
	return &webhookLog{pr: pr, verbose: verbose, retries: []time.Duration{time.Second, 2 * time.Second},
		attempts: map[string]int{}, outcome: map[string]string{}, settled: map[string]chan struct{}{}, answers: map[string]int{}}
}

// event is the simulator's OnEvent: called from its goroutines.
func (w *webhookLog) event(e simulator.Event) {
	if e.Kind != "webhook" && e.Kind != "webhook_dropped" {
		return
	}
	answer := answerOf(e)
	w.mu.Lock()
	settledNow := false
	if e.Event == "completed" {
		w.answers[answer]++
		w.attempts[e.PredictionID]++
		ok := e.Status/100 == 2
		if ok || e.Kind == "webhook_dropped" || w.attempts[e.PredictionID] > len(w.retries) {
			w.outcome[e.PredictionID] = map[bool]string{true: "", false: answer}[ok || e.Kind == "webhook_dropped"]
			close(w.chanLocked(e.PredictionID))
			settledNow = true
		}
	}
	n := w.attempts[e.PredictionID]
	w.mu.Unlock()
	switch {
	case w.verbose:
		w.pr.infof("webhook %s %s -> %s", clean(e.Event), clean(e.WebhookID), answer)
	case e.Status/100 != 2 && settledNow:
		w.pr.warnf("prediction %s: the completed webhook was not accepted after %d attempt(s): %s", clean(e.PredictionID), n, answer)
	}
}

// answerOf renders a webhook attempt's answer: "200 OK", "error: ...".
func answerOf(e simulator.Event) string {
	switch {
	case e.Kind == "webhook_dropped":
		return "dropped by the simulator"
	case e.Err != "":
		return "error: " + clean(lastPart(e.Err))
	}
	if t := http.StatusText(e.Status); t != "" {
		return fmt.Sprintf("%d %s", e.Status, t)
	}
	return fmt.Sprint(e.Status)
}

// lastPart keeps what went wrong from net/http's "Post \"url\": dial tcp ...: connection refused".
func lastPart(s string) string {
	if i := strings.LastIndex(s, ": "); i >= 0 && i+2 < len(s) {
		return s[i+2:]
	}
	return s
}

func (w *webhookLog) chanLocked(id string) chan struct{} {
	ch, ok := w.settled[id]
	if !ok {
		ch = make(chan struct{})
		w.settled[id] = ch
	}
	return ch
}

// wait waits until id's completed webhook is settled, and returns the
// refusal ("" when accepted); false when ctx ended first.
func (w *webhookLog) wait(ctx context.Context, id string) (string, bool) {
	w.mu.Lock()
	ch := w.chanLocked(id)
	w.mu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
		return "", false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.outcome[id], true
}

// settle waits for the completed webhooks of every finished prediction.
func (w *webhookLog) settle(ctx context.Context, sum *smoke.Summary) {
	for _, r := range sum.Records {
		if r.ID != "" && r.Status != smoke.StatusError {
			if _, ok := w.wait(ctx, r.ID); !ok {
				return
			}
		}
	}
}

// refused counts the predictions whose completed webhook was never accepted.
func (w *webhookLog) refused() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, o := range w.outcome {
		if o != "" {
			n++
		}
	}
	return n
}

// summary counts the answers to every attempt at a completed webhook:
// "100 × 200 OK".
func (w *webhookLog) summary() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.answers) == 0 {
		return "none sent"
	}
	return countAnswers(w.answers)
}

// countAnswers lists counted answers in order: "3 × 200 OK, 1 × 500 ...".
func countAnswers(answers map[string]int) string {
	parts := make([]string, 0, len(answers))
	for _, k := range slices.Sorted(maps.Keys(answers)) {
		parts = append(parts, fmt.Sprintf("%d × %s", answers[k], k))
	}
	return strings.Join(parts, ", ")
}

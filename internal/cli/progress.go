package cli

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"
	"github.com/notifier-dev/notifier/internal/tunnel"
	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/replicate/replicate-go"
)

// progress writes human progress lines to stderr; safe for concurrent use.
type progress struct {
	mu     sync.Mutex
	io     *IOStreams
	dim    func(string) string
	warn   func(string) string
	strong func(string) string
}

func newProgress(io *IOStreams) *progress {
	return &progress{
		io:     io,
		dim:    io.paint(color.Faint),
		warn:   io.paint(color.FgYellow, color.Bold),
		strong: io.paint(color.Bold),
	}
}

func (p *progress) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.io.ErrOut, s)
}

func (p *progress) infof(format string, args ...any) {
	p.line(p.dim(fmt.Sprintf(format, args...)))
}

func (p *progress) warnf(format string, args ...any) {
	p.line(p.warn("warning: ") + fmt.Sprintf(format, args...))
}

// watchEvent renders what happened to the prediction being watched.
func (p *progress) watchEvent(e watch.Event) {
	switch e.Kind {
	case watch.EventCreated:
		p.line(fmt.Sprintf("created prediction %s (%s) %s", p.strong(e.Prediction.ID), e.Prediction.Status, webURL(e.Prediction)))
	case watch.EventWebhook:
		p.infof("webhook: %s (%s)", eventName(e.Prediction.Status), e.Prediction.Status)
	case watch.EventPollFailed:
		p.warnf("safety-net poll failed: %v", apiError("polling", e.Err))
	case watch.EventCanceled:
		p.infof("canceled prediction %s", e.Prediction.ID)
	case watch.EventCancelFailed:
		p.warnf("%v", apiError("canceling the prediction", e.Err))
	}
}

// eventName guesses the webhook event from a snapshot's status: Replicate does
// not say which event a delivery is (REPLICATE.md §4).
func eventName(s replicate.Status) string {
	switch {
	case watch.Terminal(s):
		return "completed"
	case s == replicate.Starting:
		return "start"
	}
	return "update"
}

// webURL is the prediction's page, from urls.web or built from its id.
func webURL(p *replicate.Prediction) string {
	if u := p.URLs["web"]; u != "" {
		return u
	}
	return "https://replicate.com/p/" + p.ID
}

// resultLine describes how and when the result arrived, e.g.
// "webhook: completed (succeeded) in 1.2s; received 3ms after completion".
func resultLine(res *watch.Result) string {
	p := res.Prediction
	var b strings.Builder
	fmt.Fprintf(&b, "%s: completed (%s)", res.Via, p.Status)
	created, errC := time.Parse(time.RFC3339Nano, p.CreatedAt)
	if p.CompletedAt != nil {
		completed, err := time.Parse(time.RFC3339Nano, *p.CompletedAt)
		if err == nil {
			if errC == nil {
				fmt.Fprintf(&b, " in %s", roundDur(completed.Sub(created)))
			}
			fmt.Fprintf(&b, "; received %s after completion", roundDur(res.ReceivedAt.Sub(completed)))
		}
	}
	return b.String()
}

// roundDur keeps durations readable: ms precision under 10s, else 0.1s.
func roundDur(d time.Duration) time.Duration {
	switch {
	case d < 0:
		return d.Round(time.Millisecond)
	case d < time.Millisecond:
		return d.Round(time.Microsecond)
	case d < 10*time.Second:
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// tunnelEvent shows the tunnel going down and coming back (REPLICATE.md §7:
// the agent reconnects on its own; the safety-net poll covers the gap).
func (p *progress) tunnelEvent(e tunnel.Event) {
	switch e.Kind {
	case tunnel.EventLost:
		msg := "tunnel lost, reconnecting"
		if e.Err != nil {
			msg += " (" + oneLine(e.Err.Error()) + ")"
		}
		p.warnf("%s", msg)
	case tunnel.EventRestored:
		p.infof("tunnel restored")
	}
}

package cli

import (
	"fmt"
	"strings"
	"sync"

	"github.com/fatih/color"

	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/tunnel"
	"github.com/notifier-dev/notifier/internal/watch"
)

// progress writes human progress lines to stderr; safe for concurrent use.
// Values that came from a request or an API answer are passed through clean
// before they are put in a line.
type progress struct {
	mu     sync.Mutex
	io     *IOStreams
	live   func() string // renders the live line kept below the others; nil for none
	dim    func(string) string
	warn   func(string) string
	strong func(string) string
}

func newProgress(io *IOStreams) *progress {
	return &progress{
		io:     io,
		dim:    painter(io.ErrColor, color.Faint),
		warn:   painter(io.ErrColor, color.FgYellow, color.Bold),
		strong: painter(io.ErrColor, color.Bold),
	}
}

func (p *progress) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live == nil {
		fmt.Fprintln(p.io.ErrOut, s)
		return
	}
	// The line goes where the live line was, and the live line below it.
	fmt.Fprintf(p.io.ErrOut, "\r\033[K%s\n%s", s, p.live())
}

// setLive keeps a live line, rendered by render, below every other line,
// on a terminal; nil clears it.
func (p *progress) setLive(render func() string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.live = render
	if render == nil {
		fmt.Fprint(p.io.ErrOut, "\r\033[K")
		return
	}
	fmt.Fprint(p.io.ErrOut, render())
}

// redraw draws the live line again, if there is one.
func (p *progress) redraw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live != nil {
		fmt.Fprintf(p.io.ErrOut, "\r\033[K%s", p.live())
	}
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
		line := fmt.Sprintf("created prediction %s (%s) %s", p.strong(clean(e.Prediction.ID)),
			clean(string(e.Prediction.Status)), clean(prediction.WebURL(e.Prediction)))
		if d := extraFields(e.Prediction).Deadline; d != "" {
			line += "; deadline " + clean(d)
		}
		p.line(line)
	case watch.EventLatestVersion:
		p.infof("%s is not an official model: running its latest version, %s:%s", clean(e.Model), clean(e.Model), clean(e.Version))
	case watch.EventWebhook:
		p.infof("webhook: %s (%s)", prediction.EventName(e.Prediction.Status), clean(string(e.Prediction.Status)))
	case watch.EventPollFailed:
		p.warnf("safety-net poll failed: %v", apiError("polling", e.Err))
	case watch.EventCanceled:
		p.infof("canceled prediction %s", clean(e.Prediction.ID))
	case watch.EventCancelFailed:
		p.warnf("%v", apiError("canceling the prediction", e.Err))
	}
}

// resultLine describes how and when the result arrived, e.g.
// "webhook: completed (succeeded) in 1.2s; received 3ms after completion".
func resultLine(res *watch.Result) string {
	p := res.Prediction
	var b strings.Builder
	fmt.Fprintf(&b, "%s: completed (%s)", res.Via, clean(string(p.Status)))
	tm := prediction.TimesOf(p)
	if total, ok := tm.Total(); ok {
		fmt.Fprintf(&b, " in %s", prediction.Round(total))
	}
	if !tm.Completed.IsZero() {
		fmt.Fprintf(&b, "; received %s after completion", prediction.Round(res.ReceivedAt.Sub(tm.Completed)))
	}
	return b.String()
}

// tunnelEvent shows the tunnel going down and coming back: the agent
// reconnects on its own and the safety-net poll covers the gap.
func (p *progress) tunnelEvent(e tunnel.Event) {
	switch e.Kind {
	case tunnel.EventLost:
		msg := "tunnel lost, reconnecting"
		if e.Err != nil {
			msg += " (" + clean(oneLine(e.Err.Error())) + ")"
		}
		p.warnf("%s", msg)
	case tunnel.EventRestored:
		p.infof("tunnel restored")
	}
}

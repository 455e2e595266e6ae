package cli

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/notify/alert"
	"github.com/notifier-dev/notifier/internal/notify/email"
	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/replicate/replicate-go"
)

// alertFlags are listen's failure-rate alert settings.
type alertFlags struct {
	Rate     float64
	Window   time.Duration
	MinCount int
}

// Bounds of listen's email work, so a burst of deliveries cannot grow memory.
const (
	emailQueueSize = 256
	maxEmailedIDs  = 10000
	alertCheckTick = 30 * time.Second
)

// listenNotifier emails listen's predictions and failure-rate alerts from
// its own goroutine, so the listener's callback never waits on SMTP.
type listenNotifier struct {
	m       *mailer
	tracker *alert.Tracker
	alert   alertFlags
	pr      *progress

	queue  chan *email.Message
	done   chan struct{}
	seen   map[string]bool // predictions already handled: one email each
	order  []string
	failed int // sends that failed; read after close
	mu     sync.Mutex
	closer sync.Once
}

// newListenNotifier validates the alert flags; it returns nil when there is nothing to send.
func newListenNotifier(m *mailer, a alertFlags, set func(string) bool, pr *progress) (*listenNotifier, error) {
	alerting := set("alert-failure-rate")
	if m == nil {
		for _, name := range []string{"alert-failure-rate", "alert-window", "alert-min-count"} {
			if set(name) {
				return nil, usageErrorf("--%s needs --email-to", name)
			}
		}
		return nil, nil
	}
	switch {
	case alerting && (a.Rate <= 0 || a.Rate > 1):
		return nil, usageErrorf("--alert-failure-rate must be above 0 and at most 1, e.g. 0.2")
	case a.Window <= 0:
		return nil, usageErrorf("--alert-window must be positive")
	case a.MinCount < 1:
		return nil, usageErrorf("--alert-min-count must be at least 1")
	}
	n := &listenNotifier{m: m, alert: a, pr: pr, queue: make(chan *email.Message, emailQueueSize),
		done: make(chan struct{}), seen: map[string]bool{}}
	if alerting {
		n.tracker = alert.New(a.Rate, a.Window, a.MinCount)
	}
	go n.run()
	return n, nil
}

// observe is called for each delivery, in order, from the listener's worker.
func (n *listenNotifier) observe(d listener.Delivery) {
	p := d.Prediction
	if n == nil || !d.Accepted() || p == nil || !watch.Terminal(p.Status) || n.handled(p.ID) {
		return
	}
	if n.m.wants(p.Status) {
		var notes []string
		if d.Verdict == listener.Unverified {
			notes = append(notes, "UNVERIFIED delivery ("+d.Reason+"): accepted because of --skip-verify")
		}
		msg, err := email.Build(p, p.RawJSON(), email.BuildOptions{Notes: notes})
		if err != nil {
			n.pr.warnf("building email for %s: %v", p.ID, err)
		} else {
			n.enqueue(msg)
		}
	}
	if n.tracker != nil {
		n.transition(n.tracker.Observe(string(p.Status), d.ReceivedAt), d.ReceivedAt, p)
	}
}

// handled records id and reports whether it was seen before (a retry with a new webhook-id).
func (n *listenNotifier) handled(id string) bool {
	if n.seen[id] {
		return true
	}
	if len(n.order) >= maxEmailedIDs {
		delete(n.seen, n.order[0])
		n.order = n.order[1:]
	}
	n.seen[id], n.order = true, append(n.order, id)
	return false
}

// transition emails an alert when the failure rate crossed or recovered.
func (n *listenNotifier) transition(t alert.Transition, at time.Time, p *replicate.Prediction) {
	if t == alert.None {
		return
	}
	c := n.tracker.Counts()
	a := email.Alert{Recovered: t == alert.Recovered, Failures: c.Failures, Total: c.Total,
		Threshold: n.alert.Rate, Window: n.alert.Window, At: at}
	if p != nil && !a.Recovered {
		a.Recent = []string{fmt.Sprintf("%s %s %s", p.ID, p.Model, p.Status)}
	}
	msg, err := email.BuildAlert(a)
	if err != nil {
		n.pr.warnf("building alert email: %v", err)
		return
	}
	n.pr.warnf("failure rate %d/%d in the last %s: %s", c.Failures, c.Total, n.alert.Window, t)
	n.enqueue(msg)
}

func (n *listenNotifier) enqueue(msg *email.Message) {
	select {
	case n.queue <- msg:
	default:
		n.pr.warnf("email queue full; dropped %q", msg.Subject)
		n.mu.Lock()
		n.failed++
		n.mu.Unlock()
	}
}

// run sends queued emails and, when alerting, notices a recovery as failures age out.
func (n *listenNotifier) run() {
	defer close(n.done)
	tick := time.NewTicker(alertCheckTick)
	defer tick.Stop()
	for {
		select {
		case msg, ok := <-n.queue:
			if !ok {
				return
			}
			if err := n.m.send(context.Background(), msg); err != nil {
				n.pr.warnf("%v", err)
				n.mu.Lock()
				n.failed++
				n.mu.Unlock()
				continue
			}
			n.pr.infof("emailed %q to %d recipient(s)", msg.Subject, len(n.m.to))
		case now := <-tick.C:
			if n.tracker != nil {
				n.transition(n.tracker.Check(now), now, nil)
			}
		}
	}
}

// close sends what is queued and returns an exit-5 error if any email was
// lost. It may be called more than once.
func (n *listenNotifier) close() error {
	if n == nil {
		return nil
	}
	n.closer.Do(func() { close(n.queue) })
	<-n.done
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.failed > 0 {
		return withCode(exitNotifyFailed, fmt.Errorf("%d email(s) could not be delivered", n.failed))
	}
	return nil
}

package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/waitctx"
)

// Defaults for the zero fields of Config.
const (
	DefaultQueueSize   = 256
	DefaultAttempts    = 3
	DefaultBackoff     = time.Second
	DefaultSendTimeout = 2 * time.Minute
	// DefaultGrace is how long pending notifications get on the way out,
	// once notifier was told to stop (docs/usage.md, "Stopping").
	DefaultGrace = 10 * time.Second
)

// ErrQueueFull means a notification was dropped because its channel's queue
// was full.
var ErrQueueFull = errors.New("notification queue full")

// Config tunes a Dispatcher.
type Config struct {
	// QueueSize bounds each channel's pending notifications (default 256).
	QueueSize int
	// Attempts is how many times a temporary failure is tried in all
	// (default 3); Backoff is the first wait between them, doubling (default 1s).
	Attempts int
	Backoff  time.Duration
	// SendTimeout bounds one Send, the channel's own retries included
	// (default 2 min).
	SendTimeout time.Duration
	// OnOutcome, if set, hears of each notification sent, failed or
	// dropped. It is called from the channels' goroutines, concurrently.
	OnOutcome func(Outcome)
}

// Outcome is what became of one notification on one channel.
type Outcome struct {
	Channel      string
	Notification Notification
	// Err is nil when it was sent; ErrQueueFull when it was dropped.
	Err      error
	Attempts int
}

// Report is what Close says of the notifications that did not go out.
type Report struct {
	// Failed are the sends that failed for good, and the notifications
	// dropped because a queue was full, with why.
	Failed []Outcome
	// Unsent counts the notifications given up at Close: still queued, or
	// cut short in flight, when the grace period ended.
	Unsent int
}

// Err summarises r as one error, nil when everything went out.
func (r Report) Err() error {
	switch {
	case len(r.Failed) == 0 && r.Unsent == 0:
		return nil
	case len(r.Failed) == 0:
		return fmt.Errorf("%d notification(s) not sent: notifier stopped before they went out", r.Unsent)
	}
	first := r.Failed[0]
	err := fmt.Errorf("%s: %s: %w", first.Channel, first.Notification.Describe(), first.Err)
	if n := len(r.Failed) - 1 + r.Unsent; n > 0 {
		return fmt.Errorf("%w (and %d more not sent)", err, n)
	}
	return err
}

// Dispatcher sends notifications through its routes, each from its own
// goroutine and bounded queue, so a slow channel never holds up another or
// the caller.
type Dispatcher struct {
	cfg    Config
	routes []*route
	ctx    context.Context // the sends' context; ends when Close gives up
	stop   context.CancelFunc

	mu      sync.Mutex
	closed  bool
	pending int // notifications queued or being sent
	gaveUp  bool
	report  Report
	wg      sync.WaitGroup
}

type route struct {
	Route
	queue chan Notification
}

// New starts a Dispatcher for routes.
func New(cfg Config, routes ...Route) *Dispatcher {
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = DefaultAttempts
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = DefaultSendTimeout
	}
	d := &Dispatcher{cfg: cfg}
	d.ctx, d.stop = context.WithCancel(context.Background())
	for _, r := range routes {
		rt := &route{Route: r, queue: make(chan Notification, cfg.QueueSize)}
		d.routes = append(d.routes, rt)
		d.wg.Go(func() { d.work(rt) })
	}
	return d
}

// Notify queues n on every route that wants it and reports whether any
// does. It never blocks: on a full queue the notification is dropped for
// that route, reported to OnOutcome and in Close's Report.
func (d *Dispatcher) Notify(n Notification) bool {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return false
	}
	wanted := false
	var dropped []Outcome
	for _, r := range d.routes {
		if !r.Wants(n) {
			continue
		}
		wanted = true
		select {
		case r.queue <- n:
			d.pending++
		default:
			dropped = append(dropped, Outcome{Channel: r.Channel.Name(), Notification: n, Err: ErrQueueFull})
		}
	}
	d.report.Failed = append(d.report.Failed, dropped...)
	d.mu.Unlock()
	if d.cfg.OnOutcome != nil {
		for _, o := range dropped {
			d.cfg.OnOutcome(o)
		}
	}
	return wanted
}

// Wants reports whether any route wants n.
func (d *Dispatcher) Wants(n Notification) bool {
	for _, r := range d.routes {
		if r.Wants(n) {
			return true
		}
	}
	return false
}

// work sends r's notifications in order until its queue is closed and empty.
func (d *Dispatcher) work(r *route) {
	for n := range r.queue {
		d.handle(r, n)
	}
}

// handle sends n through r, unless Close gave up, and reports it.
func (d *Dispatcher) handle(r *route, n Notification) {
	defer func() {
		d.mu.Lock()
		d.pending--
		d.mu.Unlock()
	}()
	if d.ctx.Err() != nil {
		return // counted by Close
	}
	o := d.send(r, n)
	if d.ctx.Err() != nil && o.Err != nil {
		return // cut short by Close, not the channel's fault: counted there
	}
	if o.Err != nil {
		d.mu.Lock()
		d.report.Failed = append(d.report.Failed, o)
		d.mu.Unlock()
	}
	if d.cfg.OnOutcome != nil {
		d.cfg.OnOutcome(o)
	}
}

// send makes the attempts for n on r: temporary failures are retried with
// a doubling backoff.
func (d *Dispatcher) send(r *route, n Notification) Outcome {
	o := Outcome{Channel: r.Channel.Name(), Notification: n}
	wait := d.cfg.Backoff
	for o.Attempts = 1; ; o.Attempts++ {
		ctx, cancel := context.WithTimeout(d.ctx, d.cfg.SendTimeout)
		o.Err = r.Channel.Send(ctx, n)
		cancel()
		if o.Err == nil || !temporary(o.Err) || o.Attempts >= d.cfg.Attempts {
			return o
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-d.ctx.Done():
			t.Stop()
			return o
		}
		wait *= 2
	}
}

// temporary reports whether err says it is worth retrying.
func temporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// Close stops taking notifications and waits for the queued ones to be sent
// until ctx ends. Then it cuts the sends in flight short and gives up on the
// rest, without waiting for an OnOutcome call that blocks. The Report says
// what did not go out. It may be called more than once.
func (d *Dispatcher) Close(ctx context.Context) Report {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		for _, r := range d.routes {
			close(r.queue)
		}
	}
	d.mu.Unlock()
	if !waitctx.Wait(ctx, &d.wg) {
		d.mu.Lock()
		if !d.gaveUp {
			d.gaveUp, d.report.Unsent = true, d.pending
		}
		d.mu.Unlock()
	}
	d.stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	return Report{Failed: append([]Outcome(nil), d.report.Failed...), Unsent: d.report.Unsent}
}

package simulator

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/waitctx"
)

// userAgent is what webhook deliveries carry.
const userAgent = "Replicate-Webhook/1.0 (notifier simulator)"

// message is one webhook: its id stays the same across retries.
type message struct {
	id    string
	event string
	body  []byte
}

// deliverer sends one prediction's webhooks, one at a time and in order
// (docs/replicate.md, "Webhooks"). start and completed are always queued when in the
// filter; output and logs are throttled to one per Throttle, and a throttled
// event is sent later with the snapshot of that moment (the latest wins), or
// dropped if the prediction completes first.
type deliverer struct {
	s     *Simulator
	p     *prediction
	ids   *seededRand
	wake  chan struct{}
	first chan struct{} // closed after the first delivery attempt, or when the loop ends
	once  sync.Once

	// Guarded by Simulator.mu.
	queue         []message
	pending       string    // throttled event waiting to be sent, "" for none
	lastThrottled time.Time // when the last output/logs message was queued (real time)
}

func newDeliverer(s *Simulator, p *prediction) *deliverer {
	return &deliverer{s: s, p: p, ids: s.rng.derive("msg:" + p.id),
		wake: make(chan struct{}, 1), first: make(chan struct{})}
}

// pushLocked records event; Simulator.mu must be held. Throttling uses real
// time because it spaces real deliveries.
func (d *deliverer) pushLocked(event string) {
	defer d.poke()
	if !slices.Contains(d.p.filter, event) {
		return
	}
	switch event {
	case eventStart, eventCompleted:
		d.queue = append(d.queue, d.messageLocked(event))
		return
	}
	if time.Since(d.lastThrottled) >= d.s.cfg.Throttle {
		d.queue = append(d.queue, d.messageLocked(event))
		d.lastThrottled = time.Now()
		return
	}
	if d.pending != eventOutput { // a pending output is not downgraded to logs
		d.pending = event
	}
}

func (d *deliverer) messageLocked(event string) message {
	return message{id: "msg_" + d.ids.alnum(27), event: event, body: d.p.snapshotLocked()}
}

func (d *deliverer) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// next returns the next message to send; else how long until a throttled one
// is due (0 = wait for a push), or done when nothing more will be sent.
func (d *deliverer) next() (m *message, wait time.Duration, done bool) {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	if len(d.queue) > 0 {
		m := d.queue[0]
		d.queue = d.queue[1:]
		return &m, 0, false
	}
	terminal := isTerminal(d.p.status)
	if d.pending != "" && !terminal {
		if due := time.Until(d.lastThrottled.Add(d.s.cfg.Throttle)); due > 0 {
			return nil, due, false
		}
		msg := d.messageLocked(d.pending)
		d.pending, d.lastThrottled = "", time.Now()
		return &msg, 0, false
	}
	return nil, 0, terminal
}

// loop delivers messages until the prediction is terminal and its queue is
// empty, or the simulator closes.
func (d *deliverer) loop() {
	defer d.s.wg.Done()
	defer d.once.Do(func() { close(d.first) })
	for {
		m, wait, done := d.next()
		if m != nil {
			d.deliver(m)
			d.once.Do(func() { close(d.first) })
			continue
		}
		if done {
			return
		}
		if !d.idle(wait) {
			return
		}
	}
}

// idle waits for a push, or for wait when it is positive; it reports false
// when the simulator closes.
func (d *deliverer) idle(wait time.Duration) bool {
	var timer <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-d.wake:
	case <-timer:
	case <-d.s.ctx.Done():
		return false
	}
	return true
}

// deliver sends m, retrying only the terminal webhook (docs/replicate.md, "Webhooks").
func (d *deliverer) deliver(m *message) {
	f := d.s.cfg.Faults
	if f.DropWebhooks {
		d.s.emit(Event{Kind: "webhook_dropped", PredictionID: d.p.id, WebhookID: m.id, Event: m.event})
		return
	}
	if waitctx.Sleep(d.s.ctx, f.WebhookDelay) != nil {
		return
	}
	delays := d.s.cfg.RetryDelays
	if m.event != eventCompleted {
		delays = nil
	}
	for i := 0; ; i++ {
		if d.attempt(m) {
			if f.DuplicateWebhooks {
				d.attempt(m)
			}
			return
		}
		if i >= len(delays) || waitctx.Sleep(d.s.ctx, delays[i]) != nil {
			return
		}
	}
}

// attempt posts m once, signed afresh, and reports whether it got a 2xx.
// Redirects count as failures: the client never follows them.
func (d *deliverer) attempt(m *message) bool {
	req, err := http.NewRequestWithContext(d.s.ctx, http.MethodPost, d.p.webhook, bytes.NewReader(m.body))
	if err != nil {
		d.s.emit(Event{Kind: "webhook", PredictionID: d.p.id, WebhookID: m.id, Event: m.event, Err: err.Error()})
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	d.s.signer.SignHeaders(req.Header, m.id, d.s.cfg.Now(), m.body)
	ev := Event{Kind: "webhook", PredictionID: d.p.id, WebhookID: m.id, Event: m.event}
	resp, err := d.s.client.Do(req)
	if err != nil {
		ev.Err = err.Error()
		d.s.emit(ev)
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	ev.Status = resp.StatusCode
	d.s.emit(ev)
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}

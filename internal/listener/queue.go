package listener

import (
	"net/http"
	"runtime"
)

// item is a delivery on its way to OnDelivery. written is closed once the
// handler has written its answer, so OnDelivery never runs before the sender
// has its 2xx. held is the body budget reserved for d.Body: an accepted
// delivery keeps it until OnDelivery returns, any other gives it back when
// trimmed.
type item struct {
	d       Delivery
	written chan struct{}
	held    int64
}

// admit decides, atomically, whether an accepted delivery is new and queues
// it, updating its verdict: kept when queued, Duplicate for a remembered id,
// Rejected when the queue is full or closed or MaxAccepted were accepted
// already. Ids are remembered only once queued, so a refused delivery is
// processed when the sender retries.
func (l *Listener) admit(it *item) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := &it.d
	switch {
	case l.closed:
		d.reject(http.StatusServiceUnavailable, "shutting down")
		l.trim(it)
	case l.cfg.MaxAccepted > 0 && l.accepted >= l.cfg.MaxAccepted && !(d.WebhookID != "" && l.seen.Has(d.WebhookID)):
		d.reject(http.StatusServiceUnavailable, "closing")
		l.trim(it)
		l.sendLocked(*it) // best-effort report
	case d.WebhookID != "" && l.seen.Has(d.WebhookID):
		d.Verdict, d.Reason = Duplicate, "duplicate"
		l.trim(it)
		l.sendLocked(*it) // best-effort report
	case !l.sendLocked(*it): // when queued, the worker releases it.held
		d.reject(http.StatusServiceUnavailable, "queue full")
		l.trim(it)
		l.sendLocked(*it) // a slot may have freed
	default:
		l.accepted++
		if d.WebhookID != "" {
			l.seen.Add(d.WebhookID)
		}
	}
}

// report queues a delivery that was not admitted, best-effort, trimmed.
func (l *Listener) report(it *item) {
	l.trim(it)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.sendLocked(*it)
	}
}

// sendLocked queues it without blocking; l.mu must be held.
func (l *Listener) sendLocked(it item) bool {
	select {
	case l.queue <- it:
		return true
	default:
		return false
	}
}

// work calls OnDelivery for each queued delivery, in order, until the queue
// is closed and drained, and then releases the delivery's body budget.
func (l *Listener) work() {
	defer close(l.workerDone)
	for it := range l.queue {
		<-it.written
		l.cfg.OnDelivery(it.d)
		l.budget.release(it.held)
		if len(l.queue) == 0 && l.cfg.OnIdle != nil {
			// Under load other handlers are ready to run: letting them queue
			// their deliveries first makes a burst of many, and OnIdle is
			// called once for them (one write of stdout for dozens of
			// deliveries, not one each). When nothing else is ready, Gosched
			// returns at once.
			runtime.Gosched()
			if len(l.queue) == 0 {
				l.cfg.OnIdle()
			}
		}
	}
}

// Close stops accepting deliveries (later requests get 503), waits until
// OnDelivery has been called for every queued delivery, and stops the
// worker. It is safe to call more than once.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closed = true
		close(l.queue)
		l.mu.Unlock()
	})
	<-l.workerDone
	return nil
}

package listener

import "net/http"

// item is a queued delivery. written is closed once the handler has written
// its answer, so OnDelivery never runs before the sender has its 2xx.
type item struct {
	d       Delivery
	written chan struct{}
}

// admit decides, atomically, whether an accepted delivery is new and queues
// it, updating d's verdict: kept when queued, Duplicate for a remembered id,
// Rejected when the queue is full or closed. Ids are remembered only once
// queued, so a refused delivery is processed when the sender retries.
func (l *Listener) admit(d *Delivery, written chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		d.reject(http.StatusServiceUnavailable, "shutting down")
	case d.WebhookID != "" && l.seen.has(d.WebhookID):
		d.Verdict, d.Reason = Duplicate, "duplicate"
		l.sendLocked(item{d: *d, written: written}) // best-effort report
	case !l.sendLocked(item{d: *d, written: written}):
		d.reject(http.StatusServiceUnavailable, "queue full")
		l.sendLocked(item{d: *d, written: written}) // a slot may have freed
	case d.WebhookID != "":
		l.seen.add(d.WebhookID)
	}
}

// report queues a delivery that was not admitted, best-effort.
func (l *Listener) report(d Delivery, written chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.sendLocked(item{d: d, written: written})
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
// is closed and drained.
func (l *Listener) work() {
	defer close(l.workerDone)
	for it := range l.queue {
		<-it.written
		l.cfg.OnDelivery(it.d)
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

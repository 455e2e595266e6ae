package delivery

import (
	"context"
	"errors"
	"hash/maphash"
	"net/http"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/waitctx"
)

// Forwarder defaults, for zero ForwarderConfig fields.
const (
	DefaultForwardWorkers = 8
	DefaultMaxQueued      = 1024
	DefaultMaxQueuedBytes = 64 << 20
)

// ErrQueueFull means a delivery was not forwarded because the target is
// slower than deliveries arrive and the queue reached its bound.
var ErrQueueFull = errors.New("forward queue full")

// ErrClosed means the Forwarder was closed.
var ErrClosed = errors.New("forwarder closed")

// ForwarderConfig configures a Forwarder. Zero fields take the defaults.
type ForwarderConfig struct {
	// URL is where deliveries are sent.
	URL string
	// Timeout bounds each forward (default DefaultTimeout).
	Timeout time.Duration
	// Workers is how many forwards may be in flight at once (default 8).
	// The deliveries of one prediction go through the same worker, in order.
	Workers int
	// MaxQueued and MaxQueuedBytes bound the deliveries waiting to be sent
	// and their bodies (defaults 1024 and 64 MiB); past them Forward
	// returns ErrQueueFull.
	MaxQueued      int
	MaxQueuedBytes int64
	// OnResult, if set, hears the outcome of every forward. It is called
	// from the workers, concurrently.
	OnResult func(Forwarded)
	// Client sends the requests (default NewClient(Timeout)).
	Client *http.Client
}

// Forwarded is the outcome of forwarding one delivery.
type Forwarded struct {
	WebhookID    string
	PredictionID string
	Result       Result
}

// Forwarder sends accepted deliveries to another URL, with their original
// headers and raw body, from its own workers: the listener's callback never
// waits on the target. Deliveries of the same prediction keep their order.
type Forwarder struct {
	cfg   ForwarderConfig
	seed  maphash.Seed
	lanes []*lane
	ctx   context.Context // ends when Close gives up waiting
	stop  context.CancelFunc
	wg    sync.WaitGroup

	mu     sync.Mutex
	closed bool
	queued int
	bytes  int64
	unsent int  // deliveries given up at Close, and sends cut short
	gaveUp bool // Close gave up waiting; unsent is final
}

type job struct{ d listener.Delivery }

// lane is one worker's FIFO queue; Forwarder.mu guards q.
type lane struct {
	q    []job
	wake chan struct{}
}

// NewForwarder starts the workers.
func NewForwarder(cfg ForwarderConfig) *Forwarder {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultForwardWorkers
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = DefaultMaxQueued
	}
	if cfg.MaxQueuedBytes <= 0 {
		cfg.MaxQueuedBytes = DefaultMaxQueuedBytes
	}
	if cfg.Client == nil {
		cfg.Client = NewClient(cfg.Timeout)
	}
	f := &Forwarder{cfg: cfg, seed: maphash.MakeSeed()}
	f.ctx, f.stop = context.WithCancel(context.Background())
	for range cfg.Workers {
		l := &lane{wake: make(chan struct{}, 1)}
		f.lanes = append(f.lanes, l)
		f.wg.Go(func() { f.work(l) })
	}
	return f
}

// Forward queues an accepted delivery to be sent; other verdicts are not
// forwarded and return nil. It never blocks: it returns ErrQueueFull when the
// queue is at its bound and ErrClosed after Close.
func (f *Forwarder) Forward(d listener.Delivery) error {
	if !d.Accepted() {
		return nil
	}
	key := d.WebhookID
	if d.Prediction != nil && d.Prediction.ID != "" {
		key = d.Prediction.ID
	}
	f.mu.Lock()
	switch {
	case f.closed:
		f.mu.Unlock()
		return ErrClosed
	case f.queued >= f.cfg.MaxQueued || f.bytes+int64(len(d.Body)) > f.cfg.MaxQueuedBytes:
		f.mu.Unlock()
		return ErrQueueFull
	}
	f.queued++
	f.bytes += int64(len(d.Body))
	l := f.lanes[maphash.String(f.seed, key)%uint64(len(f.lanes))]
	l.q = append(l.q, job{d: d})
	f.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return nil
}

// work sends the lane's deliveries in order until the lane is empty and the
// Forwarder closed, or Close gave up.
func (f *Forwarder) work(l *lane) {
	for {
		j, ok, closed := f.pop(l)
		if !ok {
			if closed || f.ctx.Err() != nil {
				return
			}
			select {
			case <-l.wake:
			case <-f.ctx.Done():
			}
			continue
		}
		f.send(j)
	}
}

// pop takes the lane's next job; closed tells whether the Forwarder was
// closed, decided under the same lock, so no job queued before Close is missed.
func (f *Forwarder) pop(l *lane) (j job, ok, closed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(l.q) == 0 {
		return job{}, false, f.closed
	}
	j = l.q[0]
	l.q[0] = job{}
	l.q = l.q[1:]
	return j, true, f.closed
}

func (f *Forwarder) send(j job) {
	defer f.dequeued(len(j.d.Body))
	if f.ctx.Err() != nil {
		f.countUnsent()
		return
	}
	res := Send(f.ctx, f.cfg.Client, j.d.Method, f.cfg.URL, j.d.Header, j.d.Body)
	if errors.Is(res.Err, ErrStopped) {
		f.countUnsent()
	}
	if f.cfg.OnResult != nil {
		out := Forwarded{WebhookID: j.d.WebhookID, Result: res}
		if j.d.Prediction != nil {
			out.PredictionID = j.d.Prediction.ID
		}
		f.cfg.OnResult(out)
	}
}

func (f *Forwarder) dequeued(n int) {
	f.mu.Lock()
	f.queued--
	f.bytes -= int64(n)
	f.mu.Unlock()
}

func (f *Forwarder) countUnsent() {
	f.mu.Lock()
	if !f.gaveUp {
		f.unsent++
	}
	f.mu.Unlock()
}

// Timeout is the bound on each forward.
func (f *Forwarder) Timeout() time.Duration { return f.cfg.Timeout }

// Close stops taking deliveries and waits for the queued ones to be sent
// until ctx ends. Then it cuts the sends in flight short and gives up on the
// rest, without waiting for an OnResult call that blocks (stdout not read,
// say). It returns how many deliveries were not forwarded, or not
// confirmed, because of that. Later calls return the same count.
func (f *Forwarder) Close(ctx context.Context) (unsent int) {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	for _, l := range f.lanes {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
	if waitctx.Wait(ctx, &f.wg) {
		f.stop()
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.unsent
	}
	f.stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.gaveUp {
		f.gaveUp, f.unsent = true, f.queued // every job not finished: queued or in flight
	}
	return f.unsent
}

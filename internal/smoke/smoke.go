// Package smoke runs a batch of predictions as a CI smoke test and summarises how they went.
package smoke

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/waitctx"
	"github.com/notifier-dev/notifier/internal/watch"
)

// Defaults for the zero values of Config.
const (
	DefaultConcurrency     = 1
	DefaultThrottleBackoff = time.Second
	// MaxThrottleBackoff caps the wait between creates answered 429.
	MaxThrottleBackoff = 30 * time.Second
)

// Config says how many predictions to run and how.
type Config struct {
	// Count is how many predictions to run.
	Count int
	// Concurrency is how many may be in flight at once (default 1). It is
	// also the number of worker goroutines.
	Concurrency int
	// Rate is the most predictions created per second; 0 means no limit.
	// Every create call counts, retries after a 429 included.
	Rate float64
	// Request is the prediction to create, the same for every run; its
	// Input is shared by the workers and must not change during Run.
	Request watch.Request
	// Options tune each watch (poll interval, NoCancel, cancel timeout).
	// Options.OnEvent, if set, is called from several workers at once.
	Options watch.Options
	// OnDone, if set, is called with each record as its prediction
	// finishes, one call at a time.
	OnDone func(Record)
	// Now is the clock for the run's start and wall time, and for the
	// watches unless Options.Now is set (default time.Now).
	Now func() time.Time
	// ThrottleBackoff is the first wait after a create answered 429
	// (default 1s); it doubles with each further 429 of the same prediction,
	// up to MaxThrottleBackoff.
	ThrottleBackoff time.Duration
}

func (c *Config) applyDefaults() error {
	switch {
	case c.Count < 0:
		return fmt.Errorf("count must not be negative, got %d", c.Count)
	case c.Concurrency < 0:
		return fmt.Errorf("concurrency must not be negative, got %d", c.Concurrency)
	case c.Rate < 0:
		return fmt.Errorf("rate must not be negative, got %g", c.Rate)
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Options.Now == nil {
		c.Options.Now = c.Now
	}
	if c.ThrottleBackoff <= 0 {
		c.ThrottleBackoff = DefaultThrottleBackoff
	}
	return nil
}

// Run runs cfg.Count predictions with hub.Watch, each matched to its own
// webhooks by hub, with at most cfg.Concurrency in flight and at most
// cfg.Rate created per second. A create answered 429 is retried after a
// backoff, for as long as ctx lasts; any other create error becomes a record
// with status StatusError.
//
// When ctx ends, no further prediction is created and each running watch
// cancels its prediction (unless Options.NoCancel); Run then returns the
// partial summary and context.Cause(ctx). It returns an error without a
// summary only when cfg is invalid.
//
// A 429 reaches Run only once the client has given up on it. replicate-go,
// even with no retries configured, sleeps once for the answer's Retry-After
// without heeding the context; a transport that retries 429s itself and then
// drops Retry-After (as the CLI's does) keeps cancellation prompt.
func Run(ctx context.Context, hub *watch.Hub, client *replicate.Client, cfg Config) (*Summary, error) {
	if err := cfg.applyDefaults(); err != nil {
		return nil, err
	}
	r := &runner{hub: hub, client: client, cfg: cfg, pace: newPacer(cfg.Rate)}
	start := cfg.Now()
	var wg sync.WaitGroup
	for range min(cfg.Concurrency, cfg.Count) {
		wg.Go(func() { r.work(ctx) })
	}
	wg.Wait()
	s := Summarize(cfg.Count, r.records)
	s.Started, s.Wall = start, cfg.Now().Sub(start)
	if len(r.records) < cfg.Count || r.stopped {
		return s, context.Cause(ctx)
	}
	return s, nil
}

// runner is the state shared by Run's workers.
type runner struct {
	hub    *watch.Hub
	client *replicate.Client
	cfg    Config
	pace   *pacer

	mu      sync.Mutex
	next    int // index of the next prediction to launch, from 1
	records []Record
	stopped bool // a watch ended with ctx, not with its prediction
}

// work launches predictions one after the other until all are taken or ctx ends.
func (r *runner) work(ctx context.Context) {
	for {
		i, ok := r.take(ctx)
		if !ok {
			return
		}
		rec, ok := r.one(ctx, i)
		if !ok {
			return
		}
		r.done(rec)
	}
}

// take returns the index of the next prediction to launch.
func (r *runner) take(ctx context.Context) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ctx.Err() != nil || r.next >= r.cfg.Count {
		return 0, false
	}
	r.next++
	return r.next, true
}

// interrupted notes that a watch ended with ctx rather than with its prediction.
func (r *runner) interrupted() {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
}

// done keeps rec and reports it.
func (r *runner) done(rec Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
	if r.cfg.OnDone != nil {
		r.cfg.OnDone(rec)
	}
}

// one runs prediction i to its end. It reports false when ctx ended before
// the prediction was created.
func (r *runner) one(ctx context.Context, i int) (Record, bool) {
	for attempt := 0; ; attempt++ {
		if err := r.pace.wait(ctx); err != nil {
			return Record{}, false
		}
		rec, err := r.attempt(ctx, i)
		if err == nil {
			return rec, true
		}
		if ctx.Err() != nil {
			return Record{}, false
		}
		if err := waitctx.Sleep(ctx, backoff(r.cfg.ThrottleBackoff, attempt)); err != nil {
			return Record{}, false
		}
	}
}

// attempt makes one try at prediction i. It returns an error only when the
// create call was answered 429: nothing was created, and the caller retries.
func (r *runner) attempt(ctx context.Context, i int) (Record, error) {
	var first, canceled *replicate.Prediction
	opts := r.cfg.Options
	opts.OnEvent = func(e watch.Event) {
		switch e.Kind {
		case watch.EventCreated:
			first = e.Prediction
		case watch.EventCanceled:
			canceled = e.Prediction
		}
		if r.cfg.Options.OnEvent != nil {
			r.cfg.Options.OnEvent(e)
		}
	}
	res, err := r.hub.Watch(ctx, r.client, r.cfg.Request, opts)
	var se *watch.StoppedError
	var ce *watch.CreatedError
	var ae *replicate.APIError
	switch {
	case err == nil:
		return newRecord(i, res), nil
	case errors.As(err, &se) && se.Final != nil:
		// The run ended, but this prediction had finished, unseen.
		return newRecord(i, &watch.Result{Prediction: se.Final, ReceivedAt: r.cfg.Now(), Via: watch.ViaPoll}), nil
	case errors.As(err, &se):
		r.interrupted()
		return stoppedRecord(i, first, canceled, se), nil
	case errors.As(err, &ce):
		return Record{Index: i, ID: ce.PredictionID, Status: StatusError, Error: "creating prediction: " + err.Error()}, nil
	case errors.As(err, &ae) && ae.Status == 429:
		return Record{}, err
	case ctx.Err() != nil:
		// The create call outlived the grace period watch gives it.
		r.interrupted()
		return Record{Index: i, Status: StatusStopped,
			Error: fmt.Sprintf("%v while creating the prediction; it may have been created anyway", context.Cause(ctx))}, nil
	}
	return Record{Index: i, Status: StatusError, Error: "creating prediction: " + err.Error()}, nil
}

package watch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/replicate/replicate-go"
)

// Request says what prediction to create and where its webhooks go.
type Request struct {
	Owner, Name string // empty for a bare version id
	Version     string // empty to use the model's current version (official models route)
	Input       map[string]any
	WebhookURL  string
	Events      []replicate.WebhookEventType
}

// Via tells how the terminal state became known.
type Via string

// How a result was learned.
const (
	ViaWebhook Via = "webhook"
	ViaPoll    Via = "poll"
	ViaCreate  Via = "create"
)

// Result is a prediction in a terminal status.
type Result struct {
	Prediction *replicate.Prediction
	ReceivedAt time.Time
	Via        Via
}

// EventKind names what happened during a watch.
type EventKind string

// Events reported to Options.OnEvent.
const (
	EventCreated      EventKind = "created"       // the create call returned
	EventWebhook      EventKind = "webhook"       // a non-terminal snapshot arrived by webhook
	EventPollFailed   EventKind = "poll_failed"   // a safety-net poll failed; the watch goes on
	EventCanceled     EventKind = "canceled"      // the prediction was canceled on the way out
	EventCancelFailed EventKind = "cancel_failed" // canceling it failed
)

// Event is something that happened during a watch, for progress display.
type Event struct {
	Kind       EventKind
	Prediction *replicate.Prediction
	At         time.Time
	Err        error
}

// Options tune a watch.
type Options struct {
	// PollInterval is the safety net: the prediction is also fetched this often. 0 = never.
	PollInterval time.Duration
	// NoCancel leaves the prediction running when ctx ends before it finishes.
	NoCancel bool
	// CancelTimeout bounds the cancel call made on the way out (default 10s).
	CancelTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnEvent, if set, is called synchronously from the watching goroutine.
	OnEvent func(Event)
}

// Watch creates the prediction and waits until it is terminal, taking the
// first terminal snapshot that arrives by webhook (via h) or by poll. When ctx
// ends first, it cancels the prediction (unless NoCancel) and returns
// context.Cause(ctx) wrapped in a *StoppedError.
func (h *Hub) Watch(ctx context.Context, c *replicate.Client, req Request, opts Options) (*Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	emit := func(e Event) {
		if opts.OnEvent != nil {
			opts.OnEvent(e)
		}
	}
	p, err := create(ctx, c, req)
	if err != nil {
		return nil, err
	}
	s := h.register(p.ID)
	defer h.unregister(p.ID)
	emit(Event{Kind: EventCreated, Prediction: p, At: opts.Now()})

	if u := s.take(); u != nil {
		if Terminal(u.prediction.Status) {
			return &Result{Prediction: u.prediction, ReceivedAt: u.receivedAt, Via: ViaWebhook}, nil
		}
		emit(Event{Kind: EventWebhook, Prediction: u.prediction, At: u.receivedAt})
	}
	if Terminal(p.Status) {
		return &Result{Prediction: p, ReceivedAt: opts.Now(), Via: ViaCreate}, nil
	}
	return h.wait(ctx, c, p.ID, s, opts, emit)
}

func (h *Hub) wait(ctx context.Context, c *replicate.Client, id string, s *slot, opts Options, emit func(Event)) (*Result, error) {
	var tick <-chan time.Time
	if opts.PollInterval > 0 {
		t := time.NewTicker(opts.PollInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		// A delivery may be waiting from before this loop started.
		if u := s.take(); u != nil {
			if Terminal(u.prediction.Status) {
				return &Result{Prediction: u.prediction, ReceivedAt: u.receivedAt, Via: ViaWebhook}, nil
			}
			emit(Event{Kind: EventWebhook, Prediction: u.prediction, At: u.receivedAt})
		}
		select {
		case <-s.notify:
		case <-tick:
			p, err := c.GetPrediction(ctx, id)
			if err != nil {
				if ctx.Err() == nil {
					emit(Event{Kind: EventPollFailed, Err: err, At: opts.Now()})
				}
				continue
			}
			if Terminal(p.Status) {
				return &Result{Prediction: p, ReceivedAt: opts.Now(), Via: ViaPoll}, nil
			}
		case <-ctx.Done():
			return nil, h.stop(ctx, c, id, opts, emit)
		}
	}
}

// stop cancels the prediction when ctx ended, unless told not to.
func (h *Hub) stop(ctx context.Context, c *replicate.Client, id string, opts Options, emit func(Event)) error {
	se := &StoppedError{PredictionID: id, Cause: context.Cause(ctx)}
	if opts.NoCancel {
		return se
	}
	timeout := opts.CancelTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	p, err := c.CancelPrediction(cctx, id)
	if err != nil {
		se.CancelErr = err
		emit(Event{Kind: EventCancelFailed, Err: err, At: opts.Now()})
		return se
	}
	se.Canceled = true
	emit(Event{Kind: EventCanceled, Prediction: p, At: opts.Now()})
	return se
}

// StoppedError reports a watch that ended before the prediction finished.
type StoppedError struct {
	PredictionID string
	Cause        error // context.Cause of the watch's context
	Canceled     bool  // the cancel call succeeded
	CancelErr    error // why the cancel call failed, if it was made
}

func (e *StoppedError) Error() string {
	switch {
	case e.Canceled:
		return fmt.Sprintf("%v; prediction %s canceled", e.Cause, e.PredictionID)
	case e.CancelErr != nil:
		return fmt.Sprintf("%v; canceling prediction %s failed: %v", e.Cause, e.PredictionID, e.CancelErr)
	}
	return fmt.Sprintf("%v; prediction %s left running", e.Cause, e.PredictionID)
}

func (e *StoppedError) Unwrap() error { return e.Cause }

// create starts the prediction through the route that fits the request.
func create(ctx context.Context, c *replicate.Client, req Request) (*replicate.Prediction, error) {
	var wh *replicate.Webhook
	if req.WebhookURL != "" {
		wh = &replicate.Webhook{URL: req.WebhookURL, Events: req.Events}
	}
	input := replicate.PredictionInput(req.Input)
	if req.Version == "" {
		if req.Owner == "" {
			return nil, errors.New("a model or version is required")
		}
		return c.CreatePredictionWithModel(ctx, req.Owner, req.Name, input, wh, false)
	}
	return c.CreatePrediction(ctx, req.Version, input, wh, false)
}

package watch

import (
	"context"
	"fmt"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/replicateapi"
)

// Request says what prediction to create and where its webhooks go: a
// version, a model by name, or a deployment.
type Request struct {
	Owner, Name string // empty for a bare version id
	// Version is a version id (or owner/name:id); empty to run Owner/Name
	// by name: through the official-models route, else at its latest
	// version (see Hub.Watch).
	Version string
	// Deployment is the "owner/name" of a deployment to run; Owner, Name
	// and Version are then not used.
	Deployment string
	Input      map[string]any
	WebhookURL string
	Events     []replicate.WebhookEventType
	// Deadline, when positive, is sent as Cancel-After on the create call:
	// Replicate cancels the prediction itself once it has run this long
	// since it was created, even if notifier is gone.
	Deadline time.Duration
	// Stream asks for a stream URL (urls.stream) on the prediction.
	Stream bool
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
	// EventLatestVersion: the model asked for by name is not an official
	// model, so it runs at its latest version (Event.Model, Event.Version).
	EventLatestVersion EventKind = "latest_version"
)

// Event is something that happened during a watch, for progress display.
type Event struct {
	Kind       EventKind
	Prediction *replicate.Prediction
	At         time.Time
	Err        error
	Model      string // EventLatestVersion: "owner/name"
	Version    string // EventLatestVersion: the version it runs at
}

// Defaults of Options.
const (
	DefaultCancelTimeout = 10 * time.Second
	DefaultCreateGrace   = 5 * time.Second
)

// Options tune a watch.
type Options struct {
	// PollInterval is the safety net: the prediction is also fetched this often. 0 = never.
	PollInterval time.Duration
	// NoCancel leaves the prediction running when ctx ends before it finishes.
	NoCancel bool
	// CancelTimeout bounds the cancel call made on the way out (default 10s).
	CancelTimeout time.Duration
	// CreateGrace is how long a create call in flight when ctx ends may
	// still take (default 5s): its answer says what to cancel, where
	// abandoning it would leave a prediction running unseen.
	CreateGrace time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnEvent, if set, is called synchronously from the watching goroutine.
	OnEvent func(Event)
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.CancelTimeout <= 0 {
		o.CancelTimeout = DefaultCancelTimeout
	}
	if o.CreateGrace <= 0 {
		o.CreateGrace = DefaultCreateGrace
	}
	return o
}

func (o Options) emit(e Event) {
	if o.OnEvent != nil {
		o.OnEvent(e)
	}
}

// Watch creates the prediction and waits until it is terminal, taking the
// first terminal snapshot that arrives by webhook (via h) or by poll.
//
// When ctx ends first, it cancels the prediction (unless NoCancel) and
// returns context.Cause(ctx) wrapped in a *StoppedError; a create call in
// flight then is let finish (Options.CreateGrace) so that what it made is
// canceled too. When the API created the prediction but its answer could not
// be read, Watch cancels it (unless NoCancel) and returns a *CreatedError.
//
// A model asked for by name (Request.Version empty) runs through the
// official-models route; when that route answers 404, as it does for a
// community model, the model runs at its latest version, looked up through
// the models API (EventLatestVersion), and a *ModelError says when it has
// none or does not exist.
func (h *Hub) Watch(ctx context.Context, c *replicate.Client, req Request, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	if err := context.Cause(ctx); err != nil {
		return nil, err // told to stop before anything was created
	}
	p, err := h.create(ctx, c, req, opts)
	if err != nil {
		return nil, err
	}
	s := h.register(p.ID)
	defer h.unregister(p.ID)
	opts.emit(Event{Kind: EventCreated, Prediction: p, At: opts.Now()})

	if res := takeTerminal(s, opts); res != nil {
		return res, nil
	}
	if prediction.Terminal(p.Status) {
		return &Result{Prediction: p, ReceivedAt: opts.Now(), Via: ViaCreate}, nil
	}
	if ctx.Err() != nil {
		return nil, stop(ctx, c, p.ID, opts) // created during the grace period
	}
	return h.wait(ctx, c, p.ID, s, opts)
}

// takeTerminal takes the slot's latest snapshot: the result when it is
// terminal, else shown as progress.
func takeTerminal(s *slot, opts Options) *Result {
	u := s.take()
	if u == nil {
		return nil
	}
	if prediction.Terminal(u.prediction.Status) {
		return &Result{Prediction: u.prediction, ReceivedAt: u.receivedAt, Via: ViaWebhook}
	}
	opts.emit(Event{Kind: EventWebhook, Prediction: u.prediction, At: u.receivedAt})
	return nil
}

func (h *Hub) wait(ctx context.Context, c *replicate.Client, id string, s *slot, opts Options) (*Result, error) {
	var tick <-chan time.Time
	if opts.PollInterval > 0 {
		t := time.NewTicker(opts.PollInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		// A delivery may be waiting from before this loop started.
		if res := takeTerminal(s, opts); res != nil {
			return res, nil
		}
		select {
		case <-s.notify:
		case <-tick:
			p, err := c.GetPrediction(ctx, id)
			if err != nil {
				if ctx.Err() == nil {
					opts.emit(Event{Kind: EventPollFailed, Err: err, At: opts.Now()})
				}
				continue
			}
			if prediction.Terminal(p.Status) {
				if res := awaitWebhook(ctx, s, p, opts); res != nil {
					return res, nil
				}
				return &Result{Prediction: p, ReceivedAt: opts.Now(), Via: ViaPoll}, nil
			}
		case <-ctx.Done():
			return nil, stop(ctx, c, id, opts)
		}
	}
}

// WebhookGrace is how long after completion a webhook is still expected
// when a poll finds the prediction finished: one on its way is taken, so
// that a poll just ahead of the webhook does not report it lost.
const WebhookGrace = 2 * time.Second

// awaitWebhook waits, when p completed less than WebhookGrace ago, for its
// terminal webhook until then, and returns the result it brings; nil when
// none came.
func awaitWebhook(ctx context.Context, s *slot, p *replicate.Prediction, opts Options) *Result {
	completed := prediction.TimesOf(p).Completed
	wait := completed.Add(WebhookGrace).Sub(opts.Now())
	if completed.IsZero() || wait <= 0 {
		return nil
	}
	t := time.NewTimer(min(wait, WebhookGrace))
	defer t.Stop()
	for {
		if u := s.take(); u != nil && prediction.Terminal(u.prediction.Status) {
			return &Result{Prediction: u.prediction, ReceivedAt: u.receivedAt, Via: ViaWebhook}
		}
		select {
		case <-s.notify:
		case <-t.C:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

// stop asks once how the prediction stands, since it may have finished
// unseen (its webhook lost), and cancels it when it has not, unless told
// not to: what is reported is then true, and nothing finished is canceled.
func stop(ctx context.Context, c *replicate.Client, id string, opts Options) error {
	se := &StoppedError{PredictionID: id, Cause: context.Cause(ctx)}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.CancelTimeout)
	p, err := c.GetPrediction(fctx, id)
	cancel()
	if err == nil && prediction.Terminal(p.Status) {
		se.Final = p
		return se
	}
	se.Canceled, se.CancelErr = cancelPrediction(ctx, c, id, opts)
	return se
}

// cancelPrediction cancels id with a fresh context bounded by
// CancelTimeout, unless NoCancel; it reports whether it did.
func cancelPrediction(ctx context.Context, c *replicate.Client, id string, opts Options) (bool, error) {
	if opts.NoCancel {
		return false, nil
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.CancelTimeout)
	defer cancel()
	cctx, obs := replicateapi.Observe(cctx)
	p, err := c.CancelPrediction(cctx, id)
	if err != nil && obs.Accepted() {
		// Canceled, though its answer could not be decoded.
		p, err = &replicate.Prediction{ID: id, Status: replicate.Canceled}, nil
	}
	if err != nil {
		opts.emit(Event{Kind: EventCancelFailed, Err: err, At: opts.Now()})
		return false, err
	}
	opts.emit(Event{Kind: EventCanceled, Prediction: p, At: opts.Now()})
	return true, nil
}

// StoppedError reports a watch that ended before its result came.
type StoppedError struct {
	PredictionID string
	Cause        error // context.Cause of the watch's context
	// Final is the prediction when it had finished by then, unseen: then
	// it was not canceled.
	Final     *replicate.Prediction
	Canceled  bool  // the cancel call succeeded
	CancelErr error // why the cancel call failed, if it was made
}

func (e *StoppedError) Error() string {
	if e.Final != nil {
		return fmt.Sprintf("%v; prediction %s had %s", e.Cause, e.PredictionID, e.Final.Status)
	}
	return fmt.Sprintf("%v; prediction %s %s", e.Cause, e.PredictionID, fate(e.Canceled, e.CancelErr))
}

func (e *StoppedError) Unwrap() error { return e.Cause }

func fate(canceled bool, cancelErr error) string {
	switch {
	case canceled:
		return "canceled"
	case cancelErr != nil:
		return fmt.Sprintf("could not be canceled: %v", cancelErr)
	}
	return "left running"
}

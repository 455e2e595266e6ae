package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/inspector"
	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/waitctx"
	"github.com/notifier-dev/notifier/internal/watch"
)

// runSession is one run, started: the API, the webhook server feeding a hub,
// and the notifications.
type runSession struct {
	plan   *runPlan
	io     *IOStreams
	pr     *progress
	api    *apiSession
	client *replicate.Client
	hub    *watch.Hub
	srv    *webhookServer
	notify *notify.Dispatcher   // nil without notifications
	ui     *inspector.Inspector // nil without --ui
}

// startRun starts the API (or the simulator), finds the signing secret and
// opens the webhook server. On error, what was started is stopped.
func startRun(ctx context.Context, plan *runPlan, ios *IOStreams, log *slog.Logger, getenv func(string) string) (*runSession, error) {
	s := &runSession{plan: plan, io: ios, pr: newProgress(ios), hub: watch.NewHub()}
	if err := s.start(ctx, log, getenv); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *runSession) start(ctx context.Context, log *slog.Logger, getenv func(string) string) (err error) {
	plan, ios := s.plan, s.io
	if s.api, err = startAPI(ios, getenv, plan.simulate, log); err != nil {
		return err
	}
	if s.client, err = s.api.Client(); err != nil {
		return err
	}
	secret, err := s.api.Secret(ctx)
	if err != nil {
		return err
	}
	if plan.ui != nil {
		if s.ui, err = startUI(plan.ui, inspector.Config{Secret: secret}, s.pr); err != nil {
			return err
		}
	}
	tc := plan.tunnel
	tc.Logger, tc.OnEvent = log, s.pr.tunnelEvent
	lc := listener.Config{Secret: secret, Path: listener.NewPath(), OnDelivery: s.deliver}
	if s.srv, err = startServer(ctx, tc, lc, s.pr, runAlternatives); err != nil {
		return err
	}
	s.pr.infof("listening for webhooks at %s", s.srv.URL)
	if s.ui != nil {
		s.ui.SetWebhookURL(s.srv.URL)
		s.pr.infof("inspector: %s", s.ui.URL())
	}
	for _, w := range s.srv.warnings() {
		s.pr.warnf("%s", w)
	}
	s.plan.request.WebhookURL = s.srv.URL
	if plan.notify != nil {
		s.notify = plan.notify.start(s.pr, false)
	}
	return nil
}

// deliver hands verified predictions to the hub and shows rejections.
func (s *runSession) deliver(d listener.Delivery) {
	if s.ui != nil {
		s.ui.Add(d)
	}
	switch {
	case d.Verdict == listener.Verified && d.Prediction != nil:
		p, err := d.Decode()
		if err != nil {
			s.pr.warnf("a verified webhook delivery could not be read: %v", err)
			return
		}
		s.hub.Deliver(p, d.ReceivedAt)
	case d.Verdict == listener.Rejected:
		s.pr.warnf("rejected a webhook delivery: %s", clean(d.Reason))
	}
}

// close stops what startRun started. The dispatcher was closed by one or
// smoke when they got so far; closing it again here only stops its goroutines.
func (s *runSession) close() {
	if s.srv != nil {
		_ = s.srv.Close(context.Background())
	}
	if s.notify != nil {
		s.notify.Close(context.Background())
	}
	if s.api != nil {
		_ = s.api.Close()
	}
	closeUI(context.Background(), s.ui)
}

// linger keeps the inspector open after the result, until Ctrl-C, so that
// the deliveries can still be looked at.
func (s *runSession) linger(ctx context.Context) {
	if s.ui == nil || ctx.Err() != nil {
		return
	}
	s.pr.infof("the inspector stays open at %s; Ctrl-C to exit", s.ui.URL())
	s.ui.SetStatus("the run is over: this page stays open until Ctrl-C")
	<-ctx.Done()
}

// resultNotes are what a notification should say about how the result came.
func resultNotes(res *watch.Result) []string {
	if res.Via == watch.ViaPoll {
		return []string{"webhook not received; result fetched by polling"}
	}
	return nil
}

// watchError maps a watch that ended early to exit 124 or 130, and API
// errors to clear lines.
func watchError(ctx context.Context, err error, timeout time.Duration) error {
	var se *watch.StoppedError
	var ce *watch.CreatedError
	switch {
	case errors.As(err, &se):
		return stoppedError(se, timeout)
	case errors.As(err, &ce):
		return withHint(fmt.Errorf("creating prediction: the API's answer could not be read (%v); prediction %s was created and %s",
			ce.Err, ce.PredictionID, cancelFate(ce.Canceled, ce.CancelErr)))
	case errors.Is(context.Cause(ctx), errTimeout):
		return withCode(exitTimeout, fmt.Errorf("timed out after %s creating the prediction", timeout))
	case ctx.Err() != nil:
		return withCode(exitInterrupted, errors.New("interrupted while creating the prediction"),
			"it may have been created anyway: check your predictions at https://replicate.com/predictions")
	}
	return createError(err)
}

func stoppedError(se *watch.StoppedError, timeout time.Duration) error {
	if se.Final != nil {
		return withCode(exitInterrupted, fmt.Errorf("interrupted; prediction %s had %s already", se.PredictionID, clean(string(se.Final.Status))),
			"see it at "+prediction.WebURL(se.Final))
	}
	fate := cancelFate(se.Canceled, se.CancelErr)
	if errors.Is(se.Cause, errNoStream) {
		return withHint(fmt.Errorf("prediction %s has no stream URL (urls.stream), so --stream cannot print its output; it was %s", se.PredictionID, fate),
			"run it without --stream: its output is printed when it completes")
	}
	if errors.Is(se.Cause, errTimeout) {
		return withCode(exitTimeout, fmt.Errorf("timed out after %s waiting for prediction %s; it was %s", timeout, se.PredictionID, fate),
			"raise --timeout, or use --no-cancel to leave it running")
	}
	return withCode(exitInterrupted, fmt.Errorf("interrupted; prediction %s was %s", se.PredictionID, fate))
}

func cancelFate(canceled bool, cancelErr error) string {
	switch {
	case canceled:
		return "canceled"
	case cancelErr != nil:
		return "could not be canceled: " + apiError("canceling", cancelErr).Error()
	}
	return "left running (--no-cancel)"
}

// graceNotice is how long stopping may take before the user is told what
// notifier waits for.
const graceNotice = time.Second

// graceFor is a context for the work left once ctx ends: the one bounded
// grace period. When stopping takes more than a moment, the user is told
// what it waits for and that a second Ctrl-C exits at once. The cancel
// function must be called when the work is done.
func graceFor(ctx context.Context, pr *progress, grace time.Duration, what string) (context.Context, context.CancelFunc) {
	gctx, cancel := waitctx.Grace(ctx, grace)
	var notice *time.Timer
	var mu sync.Mutex
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		notice = time.AfterFunc(graceNotice, func() {
			pr.infof("waiting up to %s for %s; Ctrl-C again to exit at once", grace, what)
		})
	})
	return gctx, func() {
		stop()
		mu.Lock()
		if notice != nil {
			notice.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

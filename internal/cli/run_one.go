package cli

import (
	"context"
	"errors"
	"time"

	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/watch"
)

// one waits for one prediction, prints it and notifies. The result is
// printed before any notification is sent; a notification that fails is
// exit 5 when the prediction succeeded, and a warning otherwise.
func (s *runSession) one(ctx context.Context) error {
	req, err := s.prepare(ctx)
	if err != nil {
		return err
	}
	res, sp, err := s.watchOne(ctx, req)
	if err != nil {
		return err
	}
	// The result is in: stop accepting deliveries before printing.
	_ = s.srv.Close(context.Background())
	statusErr := s.report(ctx, res, sp)
	if s.notify == nil {
		return statusErr
	}
	s.notify.Notify(notify.Notification{Kind: notify.KindResult, Prediction: res.Prediction,
		Raw: predictionJSON(res.Prediction), Notes: resultNotes(res)})
	notifyErr := closeDispatcher(ctx, s.notify, s.pr, s.plan.grace)
	if notifyErr != nil && statusErr != nil {
		s.pr.warnf("%v", notifyErr) // the prediction's own exit code says more
		return statusErr
	}
	return errors.Join(statusErr, notifyErr)
}

// prepare is the request to create: with --stream, the model is checked to
// stream; file inputs are uploaded last, just before the create call.
func (s *runSession) prepare(ctx context.Context) (watch.Request, error) {
	req := s.plan.request
	if s.plan.stream {
		if err := checkStreamable(ctx, s.client, req); err != nil {
			return req, err
		}
	}
	var err error
	req.Input, err = sendFiles(ctx, s.client, s.pr, req.Input, s.plan.upload)
	return req, err
}

// watchOne creates the prediction and waits for its result, printing its
// stream meanwhile with --stream (sp, nil without).
func (s *runSession) watchOne(ctx context.Context, req watch.Request) (res *watch.Result, sp *streamPrinter, err error) {
	wctx, cancel := context.WithTimeoutCause(ctx, s.plan.timeout, errTimeout)
	defer cancel()
	wctx, stopWatch := context.WithCancelCause(wctx)
	defer stopWatch(nil)
	opts := s.plan.watch
	wait := newWaitDisplay(s.pr)
	opts.OnEvent = wait.event
	if s.plan.stream {
		sc, err := s.api.streamClient()
		if err != nil {
			return nil, nil, err
		}
		sp = &streamPrinter{client: sc, out: s.io.Out, tty: s.io.OutTTY}
		wait.quiet = true // stdout has the output; stderr stays still
		opts.OnEvent = func(e watch.Event) {
			wait.event(e)
			if e.Kind == watch.EventCreated && sp.start(ctx, e.Prediction) != nil {
				stopWatch(errNoStream)
			}
		}
	}
	res, err = s.hub.Watch(wctx, s.client, req, opts)
	wait.finish()
	if sp != nil {
		sp.finish()
	}
	var se *watch.StoppedError
	if errors.As(err, &se) && se.Final != nil && errors.Is(se.Cause, errTimeout) {
		// --timeout fired, but the prediction had finished, its webhook
		// lost: that is the result.
		s.pr.warnf("no webhook within --timeout %s; asked the API once more", s.plan.timeout)
		res, err = &watch.Result{Prediction: se.Final, ReceivedAt: time.Now(), Via: watch.ViaPoll}, nil
	}
	if err != nil {
		return nil, nil, watchError(wctx, err, s.plan.timeout)
	}
	return res, sp, nil
}

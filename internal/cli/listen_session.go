package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/notifier-dev/notifier/internal/delivery"
	"github.com/notifier-dev/notifier/internal/inspector"
	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// listenSession is listen, started: the webhook server and what each
// delivery goes to: stdout, the record file, the forward target and the
// notifications. Only printing and recording happen on the listener's
// worker; forwards and notifications go through bounded queues of their own.
type listenSession struct {
	plan     *listenPlan
	r        *deliveryRenderer
	pr       *progress
	srv      *webhookServer
	rec      *delivery.Writer
	fwd      *delivery.Forwarder
	notify   *notify.Dispatcher
	stream   *notify.Stream
	ui       *inspector.Inspector // nil without --ui
	enough   chan struct{}        // closed after --max-deliveries accepted deliveries
	accepted int                  // used by the listener's worker only
	counts   map[listener.Verdict]int

	mu        sync.Mutex
	outErr    error // the first failure to write stdout
	fwdDrops  int   // deliveries not forwarded: the forward queue was full
	enoughSet sync.Once
}

// startListen finds the secret, opens what the deliveries go to and the
// server, and announces the URL. On error, what was started is stopped.
func startListen(ctx context.Context, plan *listenPlan, ios *IOStreams, log *slog.Logger, getenv func(string) string) (*listenSession, error) {
	s := &listenSession{plan: plan, r: newDeliveryRenderer(ios, plan.json), enough: make(chan struct{}),
		counts: map[listener.Verdict]int{}}
	s.pr = s.r.pr
	if err := s.start(ctx, ios, log, getenv); err != nil {
		s.stopAll(context.Background())
		return nil, err
	}
	return s, nil
}

func (s *listenSession) start(ctx context.Context, ios *IOStreams, log *slog.Logger, getenv func(string) string) (err error) {
	plan := s.plan
	if plan.listener.Secret, err = listenSecret(ctx, plan, ios, log, getenv); err != nil {
		return err
	}
	if plan.ui != nil {
		if err := s.startUI(); err != nil {
			return err
		}
	}
	if plan.record != "" {
		if s.rec, err = delivery.Create(plan.record); err != nil {
			return withHint(fmt.Errorf("opening the --record file: %w", err))
		}
	}
	if plan.forwardTo != "" {
		s.fwd = delivery.NewForwarder(delivery.ForwarderConfig{URL: plan.forwardTo, Timeout: plan.forwardTimeout, OnResult: s.forwarded})
	}
	if plan.notify != nil {
		s.notify = plan.notify.start(s.pr, true)
		s.stream = notify.NewStream(s.notify, notify.StreamConfig{Alert: plan.alert, OnAlert: s.alerted})
	}
	tc := plan.tunnel
	tc.Logger, tc.OnEvent = log, s.pr.tunnelEvent
	lc := plan.listener
	lc.OnDelivery = s.deliver
	lc.OnIdle = func() {
		if err := s.r.flush(); err != nil {
			s.outputFailed(err)
		}
	}
	if s.srv, err = startServer(ctx, tc, lc, s.pr, listenAlternatives); err != nil {
		return err
	}
	uiURL := ""
	if s.ui != nil {
		s.ui.SetWebhookURL(s.srv.URL)
		uiURL = s.ui.URL()
	}
	verify := lc.Secret != nil && !lc.SkipVerify
	trigger := triggerLine(s.srv.URL, s.srv.Local, verify, strings.TrimSpace(getenv(envWebhookSecret)) != "")
	if err := s.r.ready(s.srv.URL, lc, trigger, uiURL); err != nil {
		return err
	}
	for _, w := range s.srv.warnings() {
		s.pr.warnf("%s", w)
	}
	return nil
}

// startUI opens the inspector, showing what --record holds already.
func (s *listenSession) startUI() error {
	plan := s.plan
	ui, err := startUI(plan.ui, inspector.Config{ForwardTo: plan.forwardTo, ForwardShown: plan.forwardShown,
		Secret: plan.listener.Secret, Timeout: plan.forwardTimeout}, s.pr)
	if err != nil {
		return err
	}
	s.ui = ui
	if plan.record != "" {
		loadHistory(ui, plan.record, s.pr)
	}
	return nil
}

// listenSecret finds the signing secret. With --skip-verify the signatures
// are still checked, to show why one would fail, when a secret can be had:
// from the environment, or fetched with the token; without one, nothing is
// checked.
func listenSecret(ctx context.Context, plan *listenPlan, ios *IOStreams, log *slog.Logger, getenv func(string) string) (*webhook.Secret, error) {
	api, err := startAPI(ios, getenv, false, log)
	if err != nil {
		return nil, err
	}
	if !plan.listener.SkipVerify || strings.TrimSpace(getenv(envWebhookSecret)) != "" {
		return api.Secret(ctx)
	}
	if strings.TrimSpace(getenv(envAPIToken)) == "" {
		return nil, nil
	}
	s, err := api.Secret(ctx)
	if err != nil {
		newProgress(ios).warnf("signatures will not be checked: %v", err)
		return nil, nil
	}
	return s, nil
}

// deliver is the listener's OnDelivery: called for every delivery, in
// order, from one goroutine.
func (s *listenSession) deliver(d listener.Delivery) {
	s.mu.Lock()
	s.counts[d.Verdict]++
	s.mu.Unlock()
	if err := s.r.render(d); err != nil {
		s.outputFailed(err)
	}
	if s.ui != nil {
		s.ui.Add(d)
	}
	if s.rec != nil {
		if err := s.rec.Write(d); err != nil {
			s.pr.warnf("%v", err)
		}
	}
	if !d.Accepted() {
		return
	}
	if s.fwd != nil {
		if err := s.fwd.Forward(d); errors.Is(err, delivery.ErrQueueFull) {
			s.mu.Lock()
			s.fwdDrops++
			s.mu.Unlock()
			s.pr.warnf("not forwarded: %s: the target is slower than deliveries arrive and the forward queue is full", clean(orDash(d.WebhookID)))
		}
	}
	if s.stream != nil && d.Prediction != nil && prediction.Terminal(d.Prediction.Status) {
		s.observe(d)
	}
	s.accepted++
	if s.plan.maxDeliveries > 0 && s.accepted >= s.plan.maxDeliveries {
		s.enoughSet.Do(func() { close(s.enough) })
	}
}

// observe hands a terminal prediction to the notifications.
func (s *listenSession) observe(d listener.Delivery) {
	p, err := d.Decode()
	if err != nil {
		s.pr.warnf("not notifying about %s: %v", clean(d.Prediction.ID), err)
		return
	}
	var notes []string
	if d.Verdict == listener.Unverified {
		notes = append(notes, "UNVERIFIED delivery ("+d.Reason+"): accepted because of --skip-verify")
	}
	s.stream.Observe(p, d.Body, d.ReceivedAt, notes...)
}

// forwarded shows a forward's answer; called from the forwarder's workers.
func (s *listenSession) forwarded(f delivery.Forwarded) {
	if err := s.r.forwarded(f, s.plan.forwardShown, s.fwd.Timeout()); err != nil {
		s.outputFailed(err)
	}
	if s.ui != nil {
		s.ui.Forwarded(f, s.fwd.Timeout())
	}
}

func (s *listenSession) alerted(a notify.Alert) {
	word := "crossed the threshold"
	if a.Recovered {
		word = "recovered"
	}
	s.pr.warnf("failure rate %d/%d in the last %s: %s", a.Failures, a.Total, a.Window, word)
}

// outputFailed warns once that stdout cannot be written.
func (s *listenSession) outputFailed(err error) {
	s.mu.Lock()
	first := s.outErr == nil
	if first {
		s.outErr = err
	}
	s.mu.Unlock()
	if first {
		s.pr.warnf("writing output: %v", err)
	}
}

// finish shuts listen down, giving what is still pending one bounded grace
// period once ctx has ended, says how it went in one line, and returns the
// exit code's error: a recording failure (exit 1) outranks a notification
// failure (exit 5); the others are shown as warnings. Stopped by Ctrl-C,
// --timeout or --max-deliveries, listen otherwise exits 0.
func (s *listenSession) finish(ctx context.Context) error {
	gctx, cancel := graceFor(ctx, s.pr, s.plan.grace, "deliveries, forwards and notifications still pending")
	defer cancel()
	errs := s.stopAll(gctx)
	s.pr.infof("listen: %s; %s", listenEnd(ctx, s.plan.timeout), s.countsLine())
	var first error
	for _, err := range errs {
		switch {
		case err == nil:
		case first == nil:
			first = err
		default:
			s.pr.warnf("%v", err)
		}
	}
	return first
}

// countsLine counts the deliveries by verdict: "5 deliveries: 3 verified,
// 1 duplicate, 1 rejected".
func (s *listenSession) countsLine() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	total := 0
	var parts []string
	for _, v := range []listener.Verdict{listener.Verified, listener.Unverified, listener.Duplicate, listener.Rejected} {
		total += s.counts[v]
		if n := s.counts[v]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	if total == 1 {
		return "1 delivery: " + strings.Join(parts, ", ")
	}
	if total == 0 {
		return "no deliveries"
	}
	return fmt.Sprintf("%d deliveries: %s", total, strings.Join(parts, ", "))
}

// stopAll stops the server (handing every queued delivery on), then the
// forwarder, the notifications and the record file, each within gctx, and
// returns their failures, most serious first.
func (s *listenSession) stopAll(gctx context.Context) []error {
	var errs []error
	if s.srv != nil {
		err := s.srv.Close(gctx)
		if err == nil {
			err = s.r.flushWithin(gctx)
		}
		if err != nil {
			errs = append(errs, withCode(exitError, err))
		}
	}
	if s.fwd != nil {
		unsent := s.fwd.Close(gctx)
		s.mu.Lock()
		unsent += s.fwdDrops // the worker may still run when its drain was abandoned
		s.mu.Unlock()
		if unsent > 0 {
			s.pr.warnf("%d deliveries were not forwarded to %s", unsent, s.plan.forwardShown)
		}
	}
	var notifyErr error
	if s.stream != nil {
		s.stream.Close()
		notifyErr = notifyError(s.notify.Close(gctx))
	}
	if s.rec != nil {
		if err := s.rec.Close(); err != nil {
			errs = append([]error{withCode(exitError, err)}, errs...)
		}
	}
	closeUI(gctx, s.ui)
	return append(errs, notifyErr)
}

package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/replicate/replicate-go"
	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/delivery"
	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/smoke"
	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/notifier-dev/notifier/internal/webhook"
)

type triggerOptions struct {
	IO     *IOStreams
	Getenv func(string) string
	Logger func() *slog.Logger

	Model        string
	Deployment   string
	Inputs       []string
	Events       []string
	Request      requestFlags
	To           string
	Simulate     bool
	Count        int
	Concurrency  int
	JSON         bool
	Timeout      time.Duration
	PollInterval time.Duration
	Notify       notifyFlags
	set          func(string) bool
}

func newTriggerCmd(f *factory) *cobra.Command {
	opts := &triggerOptions{IO: f.IO, Getenv: f.Getenv, Logger: f.logger}
	cmd := &cobra.Command{
		Use:   "trigger [MODEL] [KEY=VALUE ...] --to URL",
		Short: "Create a prediction whose webhooks go to any URL",
		Long: `Create a prediction whose webhook is URL, wait for it by polling, and say how
it ended (exit codes as for run). URL is your app's webhook endpoint, or a
'notifier listen': it receives real, signed Replicate webhooks.

Against Replicate it needs only REPLICATE_API_TOKEN, and URL must be public. With
--simulate an in-process simulator sends the webhooks, offline, to any URL,
local ones included, signed with REPLICATE_WEBHOOK_SECRET when it is set (else
with a new secret it prints); it shows what the receiver answered to each
webhook, and exits 1 when the completed one was never answered 2xx.

--count N sends N predictions: a quick load test of your endpoint.`,
		Example: `  # one terminal: a listener on a fixed port and path
  export REPLICATE_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
  notifier listen --tunnel none --listen 127.0.0.1:8080 --path /hooks
  # another terminal, with the same REPLICATE_WEBHOOK_SECRET:
  notifier trigger --simulate --to http://127.0.0.1:8080/hooks

  # 50 predictions against your app, with all four events
  notifier trigger --simulate --count 50 --events start,output,logs,completed --to http://localhost:3000/webhooks`,
		RunE: func(cmd *cobra.Command, args []string) error {
			model, inputs := splitArgs(args)
			opts.Model, opts.Inputs = model, append(inputs, opts.Inputs...)
			opts.set = cmd.Flags().Changed
			return triggerRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Inputs, "input", "i", nil, "Model input as KEY=VALUE (repeatable); JSON values are sent as JSON.")
	fl.StringVar(&opts.To, "to", "", "Send the prediction's webhooks to this http(s) URL (required).")
	fl.StringVar(&opts.Deployment, "deployment", "", "Create the prediction on this deployment, owner/name, instead of a model.")
	fl.StringSliceVar(&opts.Events, "events", []string{"completed"}, "Webhook events to subscribe to: start, output, logs, completed.")
	addRequestFlags(cmd, &opts.Request)
	fl.BoolVar(&opts.Simulate, "simulate", false, "Run against an in-process Replicate simulator: offline, no token, any URL.")
	fl.IntVar(&opts.Count, "count", 1, "Create this many predictions.")
	fl.IntVar(&opts.Concurrency, "concurrency", defaultConcurrency, "With --count: at most this many predictions in flight.")
	fl.BoolVar(&opts.JSON, "json", false, "Print the final prediction as JSON on stdout (with --count, the summary).")
	fl.DurationVar(&opts.Timeout, "timeout", 30*time.Minute, "Give up waiting after this long: cancel the predictions and exit 124.")
	fl.DurationVar(&opts.PollInterval, "poll-interval", time.Second, "How often to fetch a prediction while waiting for it.")
	addNotifyFlags(cmd, &opts.Notify)
	return cmd
}

// triggerPlan is a trigger command line, validated.
type triggerPlan struct {
	model      string
	request    watch.Request
	upload     string // how file inputs are sent
	simulate   bool
	count      int
	concurrent int
	json       bool
	timeout    time.Duration
	poll       time.Duration
	shownTo    string      // the URL without a password
	notify     *notifyPlan // nil: no notifications
}

func (o *triggerOptions) plan() (*triggerPlan, error) {
	p := &triggerPlan{model: o.Model, simulate: o.Simulate, count: o.Count, concurrent: o.Concurrency,
		json: o.JSON, timeout: o.Timeout, poll: o.PollInterval, upload: o.Request.Upload}
	var err error
	if p.model, p.request, err = parseRequest(o.Model, o.Deployment, o.Inputs, o.Events); err != nil {
		return nil, err
	}
	if err = o.Request.apply(&p.request, o.set); err != nil {
		return nil, err
	}
	if o.To == "" {
		return nil, usageErrorf("--to is required: the URL the webhooks go to")
	}
	u, err := delivery.ParseTarget(o.To)
	if err != nil {
		return nil, usageErrorf("invalid --to %q: %v", o.To, err)
	}
	switch {
	case o.Count < 1:
		return nil, usageErrorf("--count must be at least 1")
	case o.Concurrency < 1:
		return nil, usageErrorf("--concurrency must be at least 1")
	case o.set("concurrency") && o.Count == 1:
		return nil, usageErrorf("--concurrency needs --count")
	case o.Timeout <= 0:
		return nil, usageErrorf("--timeout must be positive")
	case o.PollInterval <= 0:
		return nil, usageErrorf("--poll-interval must be positive: trigger learns the result only by polling")
	}
	p.shownTo = u.Redacted()
	p.request.WebhookURL = u.String()
	if p.notify, err = o.Notify.plan(o.set, o.Getenv); err != nil {
		return nil, err
	}
	return p, nil
}

func triggerRun(ctx context.Context, opts *triggerOptions) error {
	plan, err := opts.plan()
	if err != nil {
		return err
	}
	pr := newProgress(opts.IO)
	hooks := newWebhookLog(pr, plan.count == 1)
	api, err := plan.startAPI(opts, pr, hooks)
	if err != nil {
		return err
	}
	defer api.Close()
	client, err := api.Client()
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeoutCause(ctx, plan.timeout, errTimeout)
	defer cancel()
	t := &triggerSession{plan: plan, io: opts.IO, pr: pr, hooks: hooks, hub: watch.NewHub()}
	if plan.request.Input, err = sendFiles(ctx, client, pr, plan.request.Input, plan.upload); err != nil {
		return err
	}
	if plan.notify != nil {
		t.notify = plan.notify.start(pr, false)
		defer t.notify.Close(context.Background()) // closed with a grace period by finish; this only stops it on an early return
	}
	if plan.count == 1 {
		return t.one(ctx, wctx, client)
	}
	return t.many(ctx, wctx, client)
}

// finish sends n, when notifying, and waits for the notifications with
// one grace period once ctx ended: a failure is exit 5, after err's code.
func (t *triggerSession) finish(ctx context.Context, n notify.Notification, err error) error {
	if t.notify == nil {
		return err
	}
	t.notify.Notify(n)
	notifyErr := closeDispatcher(ctx, t.notify, t.pr, notify.DefaultGrace)
	if notifyErr != nil && err != nil {
		t.pr.warnf("%v", notifyErr) // the predictions' own exit code says more
		return err
	}
	return errors.Join(err, notifyErr)
}

// startAPI connects to Replicate, or starts the simulator: it signs with
// REPLICATE_WEBHOOK_SECRET when set, else with a new secret it shows, and
// retries an unanswered completed webhook twice, quickly.
func (p *triggerPlan) startAPI(opts *triggerOptions, pr *progress, hooks *webhookLog) (*apiSession, error) {
	if !p.simulate {
		return startAPI(opts.IO, opts.Getenv, false, opts.Logger())
	}
	secret := strings.TrimSpace(opts.Getenv(envWebhookSecret))
	if secret != "" {
		if _, err := webhook.ParseSecret(secret); err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("%s is not a valid signing secret: %w", envWebhookSecret, err))
		}
	}
	log := opts.Logger()
	hooks.on = true
	api, err := startSimulator(opts.IO, simulator.Config{Secret: secret, RetryDelays: hooks.retries,
		OnEvent: func(e simulator.Event) {
			log.Debug("simulator: " + simEventLine(e))
			hooks.event(e)
		}})
	if err != nil {
		return nil, err
	}
	if secret == "" {
		pr.infof("simulator: signing with a new secret; for the receiver to verify, give it the same:")
		pr.infof("  export %s=%s", envWebhookSecret, api.sim.Secret())
	} else {
		pr.infof("simulator: signing with %s", envWebhookSecret)
	}
	return api, nil
}

// triggerSession is one trigger run.
type triggerSession struct {
	plan   *triggerPlan
	io     *IOStreams
	pr     *progress
	hooks  *webhookLog
	hub    *watch.Hub         // never fed: trigger learns results by polling
	notify *notify.Dispatcher // nil without notifications
}

// one creates one prediction, waits for it, and reports it.
func (t *triggerSession) one(ctx, wctx context.Context, c *replicate.Client) error {
	opts := watch.Options{PollInterval: t.plan.poll, OnEvent: t.pr.watchEvent}
	res, err := t.hub.Watch(wctx, c, t.plan.request, opts)
	if err != nil {
		return watchError(wctx, err, t.plan.timeout)
	}
	p := res.Prediction
	line := fmt.Sprintf("prediction %s %s", clean(p.ID), clean(string(p.Status)))
	if total, ok := prediction.TimesOf(p).Total(); ok {
		line += " in " + prediction.Round(total).String()
	}
	t.pr.line(line + "; its webhooks went to " + t.plan.shownTo)
	raw, _ := validUTF8(predictionJSON(p))
	if t.plan.json {
		if err := writeCompact(t.io.Out, raw); err != nil {
			return fmt.Errorf("writing result: %w", err)
		}
	}
	err = errors.Join(t.deliveredOrErr(ctx, p.ID), statusError(p))
	return t.finish(ctx, notify.Notification{Kind: notify.KindResult, Prediction: p, Raw: raw}, err)
}

// deliveredOrErr waits (simulating) until the completed webhook of id was
// answered, and says so when the receiver never accepted it.
func (t *triggerSession) deliveredOrErr(ctx context.Context, id string) error {
	if !t.checksCompleted() {
		return nil
	}
	out, ok := t.hooks.wait(ctx, id)
	if !ok {
		return withCode(exitInterrupted, errors.New("interrupted before the completed webhook was answered"))
	}
	if out != "" {
		return withHint(fmt.Errorf("the receiver did not accept the completed webhook: %s", out), receiverHint(out, t.plan.shownTo))
	}
	return nil
}

// checksCompleted reports whether trigger sees the receiver's answers to
// completed webhooks: when it simulates and the request asks for them.
func (t *triggerSession) checksCompleted() bool {
	return t.hooks.on && slices.Contains(t.plan.request.Events, replicate.WebhookEventCompleted)
}

// many runs --count predictions and summarises them.
func (t *triggerSession) many(ctx, wctx context.Context, c *replicate.Client) error {
	rate := defaultRate
	if t.plan.simulate {
		rate = 0 // the simulator has no rate limit to respect
	}
	live := newSmokeProgress(t.pr, t.plan.count)
	sum, runErr := smoke.Run(wctx, t.hub, c, smoke.Config{Count: t.plan.count, Concurrency: t.plan.concurrent,
		Rate: rate, Request: t.plan.request, Options: watch.Options{PollInterval: t.plan.poll}, OnDone: live.done})
	live.finish()
	if sum == nil {
		return runErr
	}
	line := fmt.Sprintf("trigger: %d of %d predictions finished in %s: %s", len(sum.Records), sum.Count, prediction.Round(sum.Wall), countsLine(sum.Counts))
	if t.checksCompleted() {
		t.hooks.settle(ctx, sum)
		line += "; completed webhooks: " + t.hooks.summary()
	}
	t.pr.line(line)
	if t.plan.json {
		if err := writeJSONLine(t.io.Out, sum); err != nil {
			return err
		}
	}
	var statuses []replicate.Status
	for st := range sum.Counts {
		statuses = append(statuses, replicate.Status(st))
	}
	title := fmt.Sprintf("trigger %s: %d of %d succeeded", t.plan.model, len(sum.Records)-sum.Failures(), sum.Count)
	return t.finish(ctx, notify.Notification{Kind: notify.KindSummary, Title: title, Lines: []string{line},
		Failed: sum.Failures() > 0 || runErr != nil, Statuses: statuses}, t.manyErr(sum, runErr))
}

// manyErr is the error of a --count run, by how it ended.
func (t *triggerSession) manyErr(sum *smoke.Summary, runErr error) error {
	switch {
	case errors.Is(runErr, errTimeout):
		return withCode(exitTimeout, fmt.Errorf("timed out after %s; %d of %d predictions finished", t.plan.timeout, len(sum.Records), sum.Count))
	case runErr != nil:
		return withCode(exitInterrupted, fmt.Errorf("interrupted; %d of %d predictions finished", len(sum.Records), sum.Count))
	case sum.Failures() > 0:
		return withCode(exitFailed, fmt.Errorf("%d of %d predictions did not succeed", sum.Failures(), len(sum.Records)))
	case t.checksCompleted() && t.hooks.refused() > 0:
		return fmt.Errorf("the receiver did not accept %d of %d completed webhooks", t.hooks.refused(), len(sum.Records))
	}
	return nil
}

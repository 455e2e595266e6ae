package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/tunnel"
	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/replicate/replicate-go"
	"github.com/spf13/cobra"
)

// errTimeout is the context cause when --timeout passes.
var errTimeout = errors.New("timed out")

type runOptions struct {
	IO     *IOStreams
	Getenv func(string) string
	Logger func() *slog.Logger

	Model        string
	Inputs       []string
	Events       []string
	Tunnel       tunnelFlags
	TunnelSet    bool
	Timeout      time.Duration
	NoCancel     bool
	PollInterval time.Duration
	JSON         bool
	Simulate     bool
	Smoke        smokeOptions
	smokeMode    bool
	Email        emailFlags
	mailer       *mailer
}

func newRunCmd(f *factory) *cobra.Command {
	opts := &runOptions{IO: f.IO, Getenv: f.Getenv, Logger: f.logger}
	cmd := &cobra.Command{
		Use:   "run [MODEL] [KEY=VALUE ...]",
		Short: "Create a prediction and print its result when the webhook arrives",
		Long: `Create a prediction with a webhook pointing at a listener notifier opens itself,
wait for the completed webhook (verifying its signature), and print the result.

MODEL is owner/name[:version] or a 64-hex version id (default ` + defaultModel + `).
KEY=VALUE pairs are model inputs; a value that parses as JSON (number, bool,
object, array) is sent as JSON, any other as a string.

The output goes to stdout (strings as-is, other JSON pretty-printed; with --json
the whole final prediction on one line); progress goes to stderr.`,
		Example: `  # offline, against the built-in simulator
  notifier run --simulate
  notifier run --simulate sleep=2 outcome=error

  # against Replicate, with your own tunnel that forwards to 127.0.0.1:8080
  notifier run --public-url https://example.ngrok.app --listen 127.0.0.1:8080 -i sleep=1`,
		RunE: func(cmd *cobra.Command, args []string) error {
			model, inputs := splitArgs(args)
			opts.Model = model
			opts.Inputs = append(inputs, opts.Inputs...)
			opts.TunnelSet = cmd.Flags().Changed("tunnel")
			if err := opts.Smoke.validate(cmd.Flags().Changed); err != nil {
				return err
			}
			opts.smokeMode = cmd.Flags().Changed("count")
			m, err := newMailer(opts.Email, cmd.Flags().Changed, opts.Getenv)
			if err != nil {
				return err
			}
			opts.mailer = m
			return runRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Inputs, "input", "i", nil, "Model input as KEY=VALUE (repeatable); JSON values are sent as JSON.")
	fl.StringSliceVar(&opts.Events, "events", []string{"completed"}, "Webhook events to subscribe to: start, output, logs, completed.")
	addTunnelFlags(cmd, &opts.Tunnel)
	fl.DurationVar(&opts.Timeout, "timeout", 30*time.Minute, "Give up waiting after this long: cancel the prediction and exit 124.")
	fl.BoolVar(&opts.NoCancel, "no-cancel", false, "Leave the prediction running on timeout or Ctrl-C.")
	fl.DurationVar(&opts.PollInterval, "poll-interval", 30*time.Second, "Safety net: also fetch the prediction this often (0 = never).")
	fl.BoolVar(&opts.JSON, "json", false, "Print the final prediction object as JSON on stdout.")
	fl.BoolVar(&opts.Simulate, "simulate", false, "Run against an in-process Replicate simulator: offline, no token, --tunnel none.")
	addEmailFlags(cmd, &opts.Email)
	fl.IntVar(&opts.Smoke.Count, "count", 1, "Smoke mode: run this many predictions and report a verdict.")
	fl.IntVar(&opts.Smoke.Concurrency, "concurrency", defaultConcurrency, "Smoke mode: at most this many predictions in flight.")
	fl.Float64Var(&opts.Smoke.Rate, "rate", defaultRate, "Smoke mode: at most this many predictions created per second (0 = no limit).")
	fl.StringVar(&opts.Smoke.JUnit, "junit", "", "Smoke mode: write a JUnit XML report to this file.")
	fl.IntVar(&opts.Smoke.MaxFailures, "max-failures", 0, "Smoke mode: exit 3 when more predictions than this did not succeed.")
	fl.DurationVar(&opts.Smoke.MaxP95, "max-p95", 0, "Smoke mode: exit 6 when the p95 of total time exceeds this (0 = no bound).")
	return cmd
}

// addTunnelFlags registers --tunnel, --public-url and --listen.
func addTunnelFlags(cmd *cobra.Command, t *tunnelFlags) {
	fl := cmd.Flags()
	fl.StringVar(&t.Mode, "tunnel", "ngrok", "How Replicate reaches the listener: ngrok or none.")
	fl.StringVar(&t.PublicURL, "public-url", "", "A public base URL that already reaches --listen (your own tunnel); implies --tunnel none.")
	fl.StringVar(&t.Listen, "listen", "127.0.0.1:0", "Local address of the webhook server.")
	fl.DurationVar(&t.Timeout, "tunnel-timeout", tunnel.DefaultConnectTimeout, "Give up connecting to ngrok after this long.")
}

func runRun(ctx context.Context, opts *runOptions) error {
	req, err := opts.request()
	if err != nil {
		return err
	}
	defaultMode := tunnel.ModeNgrok
	if opts.Simulate {
		defaultMode = tunnel.ModeNone
	}
	tc, err := opts.Tunnel.config(opts.TunnelSet, defaultMode, opts.Getenv)
	if err != nil {
		return err
	}
	hub, pr := watch.NewHub(), newProgress(opts.IO)
	tc.Logger, tc.OnEvent = opts.Logger(), pr.tunnelEvent
	api, err := startAPI(opts.IO, opts.Getenv, opts.Simulate, opts.Logger())
	if err != nil {
		return err
	}
	defer api.Close()
	client, err := api.Client()
	if err != nil {
		return err
	}
	secret, err := resolveSecret(ctx, opts.Getenv, api.Client)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, tc, listener.Config{Secret: secret, Path: listener.NewPath(), OnDelivery: hubFeeder(hub, pr)})
	if err != nil {
		return err
	}
	defer srv.Close()
	pr.infof("listening for webhooks at %s", srv.URL)
	for _, w := range srv.warnings() {
		pr.warnf("%s", w)
	}
	req.WebhookURL = srv.URL

	wctx, cancel := context.WithTimeoutCause(ctx, opts.Timeout, errTimeout)
	defer cancel()
	if opts.smokeMode {
		return runSmoke(wctx, opts, hub, client, req, pr)
	}
	return runOne(wctx, ctx, opts, hub, client, req, pr, srv)
}

// runOne waits for one prediction, prints it and emails it. wctx carries
// --timeout; the email is sent under ctx, after the result is printed.
func runOne(wctx, ctx context.Context, opts *runOptions, hub *watch.Hub, c *replicate.Client, req watch.Request, pr *progress, srv *webhookServer) error {
	res, err := hub.Watch(wctx, c, req, watch.Options{PollInterval: opts.PollInterval, NoCancel: opts.NoCancel, OnEvent: pr.watchEvent})
	if err != nil {
		return watchError(wctx, err, opts.Timeout)
	}
	srv.Close() // the result is in: stop accepting deliveries before printing
	statusErr := reportResult(opts.IO, pr, res, opts.JSON)
	if !opts.mailer.wants(res.Prediction.Status) {
		return statusErr
	}
	if err := opts.mailer.sendPrediction(ctx, res); err != nil {
		if statusErr == nil {
			return err // exit 5: the prediction succeeded, the email did not
		}
		pr.warnf("%v", err) // the prediction's own exit code says more
		return statusErr
	}
	pr.infof("emailed the result to %s", strings.Join(opts.mailer.to, ", "))
	return statusErr
}

// hubFeeder hands verified predictions to the hub and shows rejections.
func hubFeeder(hub *watch.Hub, pr *progress) func(listener.Delivery) {
	return func(d listener.Delivery) {
		if d.Verdict == listener.Verified && d.Prediction != nil {
			hub.Deliver(d.Prediction, d.ReceivedAt)
		} else if d.Verdict == listener.Rejected {
			pr.warnf("rejected a webhook delivery: %s", d.Reason)
		}
	}
}

// modelName is the model as the user gave it, or the default.
func (o *runOptions) modelName() string {
	if o.Model == "" {
		return defaultModel
	}
	return o.Model
}

// request validates the arguments and builds the prediction request.
func (o *runOptions) request() (watch.Request, error) {
	model := o.Model
	if model == "" {
		model = defaultModel
	}
	t, err := parseTarget(model)
	if err != nil {
		return watch.Request{}, err
	}
	input, err := parseInputs(o.Inputs)
	if err != nil {
		return watch.Request{}, err
	}
	events, err := parseEvents(o.Events)
	if err != nil {
		return watch.Request{}, err
	}
	if o.Timeout <= 0 {
		return watch.Request{}, usageErrorf("--timeout must be positive")
	}
	if o.PollInterval < 0 {
		return watch.Request{}, usageErrorf("--poll-interval must not be negative")
	}
	return watch.Request{Owner: t.Owner, Name: t.Name, Version: t.Version, Input: input, Events: events}, nil
}

// parseEvents validates --events.
func parseEvents(list []string) ([]replicate.WebhookEventType, error) {
	var events []replicate.WebhookEventType
	for _, e := range list {
		e = strings.TrimSpace(e)
		switch replicate.WebhookEventType(e) {
		case replicate.WebhookEventStart, replicate.WebhookEventOutput, replicate.WebhookEventLogs, replicate.WebhookEventCompleted:
			events = append(events, replicate.WebhookEventType(e))
		default:
			return nil, usageErrorf("invalid event %q in --events: want start, output, logs or completed", e)
		}
	}
	if len(events) == 0 {
		return nil, usageErrorf("--events must name at least one event")
	}
	return events, nil
}

// watchError maps a watch that ended early to exit 124 or 130, and API errors to clear lines.
func watchError(ctx context.Context, err error, timeout time.Duration) error {
	var se *watch.StoppedError
	if !errors.As(err, &se) {
		switch {
		case errors.Is(context.Cause(ctx), errTimeout):
			return withCode(exitTimeout, fmt.Errorf("timed out after %s creating the prediction", timeout))
		case ctx.Err() != nil:
			return withCode(exitInterrupted, errors.New("interrupted while creating the prediction"),
				"it may have been created anyway: check https://replicate.com/predictions")
		}
		return apiError("creating prediction", err)
	}
	fate := "left running (--no-cancel)"
	switch {
	case se.Canceled:
		fate = "canceled"
	case se.CancelErr != nil:
		fate = "could not be canceled: " + apiError("canceling", se.CancelErr).Error()
	}
	if errors.Is(se.Cause, errTimeout) {
		return withCode(exitTimeout, fmt.Errorf("timed out after %s waiting for prediction %s; it was %s", timeout, se.PredictionID, fate),
			"raise --timeout, or use --no-cancel to leave it running")
	}
	return withCode(exitInterrupted, fmt.Errorf("interrupted; prediction %s was %s", se.PredictionID, fate))
}

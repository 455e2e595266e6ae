package cli

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/replicate/replicate-go"
	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/tunnel"
	"github.com/notifier-dev/notifier/internal/watch"
)

// errTimeout is the context cause when --timeout passes.
var errTimeout = errors.New("timed out")

type runOptions struct {
	IO     *IOStreams
	Getenv func(string) string
	Logger func() *slog.Logger
	Hooks  TestHooks

	Model        string
	Deployment   string
	Inputs       []string
	Events       []string
	Request      requestFlags
	OutputDir    string
	Stream       bool
	Tunnel       tunnelFlags
	Timeout      time.Duration
	NoCancel     bool
	PollInterval time.Duration
	JSON         bool
	Simulate     bool
	Smoke        smokeFlags
	Notify       notifyFlags
	UI           uiFlags
	set          func(string) bool
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
			opts.Model, opts.Inputs = model, append(inputs, opts.Inputs...)
			opts.Tunnel.modeSet, opts.Tunnel.listenSet = cmd.Flags().Changed("tunnel"), cmd.Flags().Changed("listen")
			opts.Tunnel.alternatives = runAlternatives
			opts.set, opts.Hooks = cmd.Flags().Changed, f.Hooks
			return runRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Inputs, "input", "i", nil, "Model input as KEY=VALUE (repeatable); JSON values are sent as JSON.")
	fl.StringVar(&opts.Deployment, "deployment", "", "Create the prediction on this deployment, owner/name, instead of a model.")
	fl.StringSliceVar(&opts.Events, "events", []string{"completed"}, "Webhook events to subscribe to: start, output, logs, completed.")
	addRequestFlags(cmd, &opts.Request)
	fl.StringVar(&opts.OutputDir, "output-dir", "", "Download the output's files into this directory and print their paths.")
	fl.BoolVar(&opts.Stream, "stream", false, "Print a language model's output as it is generated, from its stream.")
	addTunnelFlags(cmd, &opts.Tunnel)
	fl.DurationVar(&opts.Timeout, "timeout", 30*time.Minute, "Give up waiting after this long: cancel the prediction and exit 124.")
	fl.BoolVar(&opts.NoCancel, "no-cancel", false, "Leave the prediction running on timeout or Ctrl-C.")
	fl.DurationVar(&opts.PollInterval, "poll-interval", 30*time.Second, "Safety net: also fetch the prediction this often (0 = never).")
	fl.BoolVar(&opts.JSON, "json", false, "Print the final prediction object as JSON on stdout.")
	fl.BoolVar(&opts.Simulate, "simulate", false, "Run against an in-process Replicate simulator: offline, no token, --tunnel none.")
	addNotifyFlags(cmd, &opts.Notify)
	addSmokeFlags(cmd, &opts.Smoke)
	addUIFlags(cmd, &opts.UI, "Serve a web page on --ui-addr that shows each webhook delivery live; it stays open after the result until Ctrl-C.")
	return cmd
}

// runPlan is a run command line, validated: everything is decided before
// anything is started or created.
type runPlan struct {
	model     string // as given, or the default
	request   watch.Request
	upload    string // how file inputs are sent: uploadFiles or uploadDataURL
	outputDir string // "": print file outputs as URLs
	stream    bool
	simulate  bool
	tunnel    tunnel.Config
	timeout   time.Duration
	watch     watch.Options
	json      bool
	smoke     *smokeFlags // nil: one prediction
	notify    *notifyPlan // nil: no notifications
	ui        *uiFlags    // nil without --ui
	grace     time.Duration
}

// plan validates the arguments and flags.
func (o *runOptions) plan() (*runPlan, error) {
	p := &runPlan{model: o.Model, simulate: o.Simulate, timeout: o.Timeout, json: o.JSON, grace: o.Hooks.grace(),
		watch: watch.Options{PollInterval: o.PollInterval, NoCancel: o.NoCancel}}
	var err error
	if p.model, p.request, err = parseRequest(o.Model, o.Deployment, o.Inputs, o.Events); err != nil {
		return nil, err
	}
	if err = o.Request.apply(&p.request, o.set); err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		return nil, usageErrorf("--timeout must be positive")
	}
	if p.smoke, err = o.Smoke.plan(o.set); err != nil {
		return nil, err
	}
	if err = o.planOutput(p); err != nil {
		return nil, err
	}
	defaultMode := tunnel.ModeNgrok
	if o.Simulate {
		defaultMode = tunnel.ModeNone
	}
	if p.tunnel, err = o.Tunnel.config(defaultMode, o.Getenv, o.Hooks); err != nil {
		return nil, err
	}
	if p.notify, err = o.Notify.plan(o.set, o.Getenv); err != nil {
		return nil, err
	}
	if p.ui, err = o.UI.plan(o.set); err != nil {
		return nil, err
	}
	return p, nil
}

func runRun(ctx context.Context, opts *runOptions) error {
	plan, err := opts.plan()
	if err != nil {
		return err
	}
	s, err := startRun(ctx, plan, opts.IO, opts.Logger(), opts.Getenv)
	if err != nil {
		return err
	}
	defer s.close()
	if plan.smoke != nil {
		err = s.smoke(ctx)
	} else {
		err = s.one(ctx)
	}
	s.linger(ctx)
	return err
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

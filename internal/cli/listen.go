package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/delivery"
	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/tunnel"
)

type listenOptions struct {
	IO     *IOStreams
	Getenv func(string) string
	Logger func() *slog.Logger
	Hooks  TestHooks

	Tunnel         tunnelFlags
	Path           string
	SkipVerify     bool
	JSON           bool
	MaxDeliveries  int
	Timeout        time.Duration
	ForwardTo      string
	ForwardTimeout time.Duration
	Record         string
	Notify         notifyFlags
	Alert          alertFlags
	UI             uiFlags
	set            func(string) bool
}

func newListenCmd(f *factory) *cobra.Command {
	opts := &listenOptions{IO: f.IO, Getenv: f.Getenv, Logger: f.logger}
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Receive, verify and show webhook deliveries",
		Long: `Open a webhook listener and show every delivery that reaches it: verified
against the signing secret (REPLICATE_WEBHOOK_SECRET, else fetched with
REPLICATE_API_TOKEN), deduplicated by webhook-id, one line each on stdout.
Rejected deliveries are shown with the reason. --forward-to sends each
accepted delivery on to your app, unchanged, after Replicate got its answer;
--record keeps every delivery in a JSONL file for 'notifier replay'; --ui
shows them on a local web page, live, with replay and copy-as-curl.

Point a prediction's webhook at the URL it prints.`,
		Example: `  # your own tunnel forwards https://example.ngrok.app to 127.0.0.1:8080
  notifier listen --public-url https://example.ngrok.app --listen 127.0.0.1:8080

  # a fixed path, NDJSON output, stop after the first delivery
  notifier listen --tunnel none --listen 127.0.0.1:8080 --path /hooks/replicate --json --max-deliveries 1

  # forward to your app, keep a copy of everything, replay it later
  notifier listen --forward-to http://localhost:3000/webhooks --record deliveries.jsonl
  notifier replay deliveries.jsonl --to http://localhost:3000/webhooks --resign

  # see every delivery in your browser at http://127.0.0.1:4141
  notifier listen --ui --record deliveries.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Tunnel.modeSet, opts.Tunnel.listenSet = cmd.Flags().Changed("tunnel"), cmd.Flags().Changed("listen")
			opts.Tunnel.alternatives = listenAlternatives
			opts.set, opts.Hooks = cmd.Flags().Changed, f.Hooks
			return listenRun(cmd.Context(), opts)
		},
	}
	addTunnelFlags(cmd, &opts.Tunnel)
	fl := cmd.Flags()
	fl.StringVar(&opts.Path, "path", "", "Serve webhooks on this fixed path instead of a random /hook/<token> path.")
	fl.BoolVar(&opts.SkipVerify, "skip-verify", false, "Accept unsigned or badly signed deliveries (each line says so).")
	fl.BoolVar(&opts.JSON, "json", false, `Print NDJSON on stdout: a "ready" line, then one line per delivery, rejection or forward.`)
	fl.IntVar(&opts.MaxDeliveries, "max-deliveries", 0, "Exit 0 after this many accepted deliveries (0 = no limit).")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "Exit 124 after this long (0 = no limit).")
	fl.StringVar(&opts.ForwardTo, "forward-to", "", "Forward each accepted delivery (original headers, raw body) to this http(s) URL and show the answer.")
	fl.DurationVar(&opts.ForwardTimeout, "forward-timeout", delivery.DefaultTimeout, "Give up on a forward the target has not answered after this long.")
	fl.StringVar(&opts.Record, "record", "", "Append every delivery (headers, raw body, verdict) to this JSONL file, for 'notifier replay'.")
	addNotifyFlags(cmd, &opts.Notify)
	addAlertFlags(cmd, &opts.Alert)
	addUIFlags(cmd, &opts.UI, "Serve a web page on --ui-addr that shows every delivery live: verdict, headers, body, timeline, outputs; replay, copy as curl.")
	return cmd
}

// listenPlan is a listen command line, validated.
type listenPlan struct {
	listener       listener.Config
	tunnel         tunnel.Config
	json           bool
	maxDeliveries  int
	timeout        time.Duration
	forwardTo      string // "" for none
	forwardShown   string // the URL as shown, without a password
	forwardTimeout time.Duration
	record         string
	notify         *notifyPlan
	alert          *notify.AlertConfig
	ui             *uiFlags // nil without --ui
	grace          time.Duration
}

// plan validates the flags.
func (o *listenOptions) plan() (*listenPlan, error) {
	p := &listenPlan{json: o.JSON, maxDeliveries: o.MaxDeliveries, timeout: o.Timeout, record: o.Record, grace: o.Hooks.grace(),
		forwardTimeout: o.ForwardTimeout, listener: listener.Config{SkipVerify: o.SkipVerify, Path: listener.NewPath()}}
	if o.Path != "" {
		if !strings.HasPrefix(o.Path, "/") || strings.ContainsAny(o.Path, "?# ") {
			return nil, usageErrorf("invalid --path %q: want an absolute path such as /hooks/replicate", o.Path)
		}
		p.listener.Path = o.Path
	}
	if o.MaxDeliveries < 0 {
		return nil, usageErrorf("--max-deliveries must not be negative")
	}
	p.listener.MaxAccepted = o.MaxDeliveries
	if err := p.forward(o); err != nil {
		return nil, err
	}
	var err error
	if p.tunnel, err = o.Tunnel.config(tunnel.ModeNgrok, o.Getenv, o.Hooks); err != nil {
		return nil, err
	}
	if p.notify, err = o.Notify.plan(o.set, o.Getenv); err != nil {
		return nil, err
	}
	if p.alert, err = o.Alert.config(o.set, p.notify != nil); err != nil {
		return nil, err
	}
	if p.ui, err = o.UI.plan(o.set); err != nil {
		return nil, err
	}
	if !o.SkipVerify && strings.TrimSpace(o.Getenv(envWebhookSecret)) == "" && strings.TrimSpace(o.Getenv(envAPIToken)) == "" {
		return nil, withCode(exitUsage, fmt.Errorf("no webhook signing secret: set %s, or %s to fetch it", envWebhookSecret, envAPIToken),
			"find the secret at https://replicate.com/account/webhook",
			"or pass --skip-verify to accept deliveries without checking signatures")
	}
	return p, nil
}

// forward validates --forward-to and --forward-timeout.
func (p *listenPlan) forward(o *listenOptions) error {
	if o.ForwardTo == "" {
		if o.set("forward-timeout") {
			return usageErrorf("--forward-timeout needs --forward-to")
		}
		return nil
	}
	u, err := delivery.ParseTarget(o.ForwardTo)
	if err != nil {
		return usageErrorf("invalid --forward-to %q: %v", o.ForwardTo, err)
	}
	if o.ForwardTimeout <= 0 {
		return usageErrorf("--forward-timeout must be positive")
	}
	p.forwardTo, p.forwardShown = u.String(), u.Redacted()
	return nil
}

func listenRun(ctx context.Context, opts *listenOptions) error {
	plan, err := opts.plan()
	if err != nil {
		return err
	}
	if plan.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, plan.timeout, errTimeout)
		defer cancel()
	}
	s, err := startListen(ctx, plan, opts.IO, opts.Logger(), opts.Getenv)
	if err != nil {
		return err
	}
	select {
	case <-s.enough:
	case <-ctx.Done():
	}
	return s.finish(ctx)
}

// listenEnd says how listen stopped. Ctrl-C and --timeout are how a listen
// session normally ends: exit 0.
func listenEnd(ctx context.Context, timeout time.Duration) string {
	switch {
	case errors.Is(context.Cause(ctx), errTimeout):
		return fmt.Sprintf("stopped after --timeout %s", timeout)
	case ctx.Err() != nil:
		return "stopped"
	}
	return "stopped after --max-deliveries"
}

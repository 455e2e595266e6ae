package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/tunnel"
	"github.com/notifier-dev/notifier/internal/webhook"
	"github.com/spf13/cobra"
)

type listenOptions struct {
	IO     *IOStreams
	Getenv func(string) string
	Logger func() *slog.Logger

	Tunnel        tunnelFlags
	TunnelSet     bool
	Path          string
	SkipVerify    bool
	JSON          bool
	MaxDeliveries int
	Timeout       time.Duration
	ForwardTo     string
	Record        string
	Email         emailFlags
	Alert         alertFlags
	set           func(string) bool
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
--record keeps every delivery in a JSONL file for 'notifier replay'.

Point a prediction's webhook at the URL it prints.`,
		Example: `  # your own tunnel forwards https://example.ngrok.app to 127.0.0.1:8080
  notifier listen --public-url https://example.ngrok.app --listen 127.0.0.1:8080

  # a fixed path, NDJSON output, stop after the first delivery
  notifier listen --tunnel none --listen 127.0.0.1:8080 --path /hooks/replicate --json --max-deliveries 1

  # forward to your app, keep a copy of everything, replay it later
  notifier listen --forward-to http://localhost:3000/webhooks --record deliveries.jsonl
  notifier replay deliveries.jsonl --to http://localhost:3000/webhooks --resign`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.TunnelSet = cmd.Flags().Changed("tunnel")
			opts.set = cmd.Flags().Changed
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
	fl.StringVar(&opts.Record, "record", "", "Append every delivery (headers, raw body, verdict) to this JSONL file, for 'notifier replay'.")
	addEmailFlags(cmd, &opts.Email)
	fl.Float64Var(&opts.Alert.Rate, "alert-failure-rate", 0, "Email an alert when this share (0-1] of predictions in --alert-window did not succeed, and again when it recovers.")
	fl.DurationVar(&opts.Alert.Window, "alert-window", 10*time.Minute, "The window of completed predictions the failure rate is computed over.")
	fl.IntVar(&opts.Alert.MinCount, "alert-min-count", 5, "Alert only when the window holds at least this many predictions.")
	return cmd
}

func listenRun(ctx context.Context, opts *listenOptions) error {
	lc, err := opts.listenerConfig()
	if err != nil {
		return err
	}
	tc, err := opts.Tunnel.config(opts.TunnelSet, tunnel.ModeNgrok, opts.Getenv)
	if err != nil {
		return err
	}
	m, err := newMailer(opts.Email, opts.set, opts.Getenv)
	if err != nil {
		return err
	}
	r := newDeliveryRenderer(opts.IO, opts.JSON)
	fwd, err := newForwarder(opts.ForwardTo, r)
	if err != nil {
		return err
	}
	notifier, err := newListenNotifier(m, opts.Alert, opts.set, r.pr)
	if err != nil {
		return err
	}
	defer notifier.close()
	if lc.Secret, err = opts.secret(ctx); err != nil {
		return err
	}
	rec, err := openRecorder(opts.Record, r.pr)
	if err != nil {
		return err
	}
	defer rec.close()
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opts.Timeout, errTimeout)
		defer cancel()
	}
	tc.Logger, tc.OnEvent = opts.Logger(), r.pr.tunnelEvent
	enough := make(chan struct{})
	var once sync.Once
	accepted := 0
	lc.OnDelivery = func(d listener.Delivery) {
		r.render(d)
		rec.record(d)
		fwd.forward(ctx, d)
		notifier.observe(d)
		if d.Accepted() {
			accepted++
			if opts.MaxDeliveries > 0 && accepted >= opts.MaxDeliveries {
				once.Do(func() { close(enough) })
			}
		}
	}
	srv, err := startServer(ctx, tc, lc)
	if err != nil {
		return err
	}
	if err := r.ready(srv.URL, lc); err != nil {
		srv.Close()
		return err
	}
	for _, w := range srv.warnings() {
		r.pr.warnf("%s", w)
	}
	select {
	case <-enough:
	case <-ctx.Done():
	}
	if err := srv.Close(); err != nil {
		return fmt.Errorf("webhook server: %w", err)
	}
	// Every closer runs; a lost email (exit 5) or recording (exit 1) outranks how listen stopped.
	return cmp.Or(notifier.close(), rec.close(), listenEnd(ctx, opts.Timeout))
}

// listenEnd maps how listen stopped to its exit code.
func listenEnd(ctx context.Context, timeout time.Duration) error {
	switch {
	case errors.Is(context.Cause(ctx), errTimeout):
		return withCode(exitTimeout, fmt.Errorf("stopped after --timeout %s", timeout))
	case ctx.Err() != nil:
		return withCode(exitInterrupted, errors.New("interrupted"))
	}
	return nil
}

// listenerConfig validates the flags that shape the listener.
func (o *listenOptions) listenerConfig() (listener.Config, error) {
	lc := listener.Config{SkipVerify: o.SkipVerify, Path: listener.NewPath()}
	if o.Path != "" {
		if !strings.HasPrefix(o.Path, "/") || strings.ContainsAny(o.Path, "?# ") {
			return lc, usageErrorf("invalid --path %q: want an absolute path such as /hooks/replicate", o.Path)
		}
		lc.Path = o.Path
	}
	if o.MaxDeliveries < 0 {
		return lc, usageErrorf("--max-deliveries must not be negative")
	}
	if o.Timeout < 0 {
		return lc, usageErrorf("--timeout must not be negative")
	}
	return lc, nil
}

// secret finds the signing secret; with --skip-verify only from the environment.
func (o *listenOptions) secret(ctx context.Context) (*webhook.Secret, error) {
	fromEnv := strings.TrimSpace(o.Getenv(envWebhookSecret)) != ""
	if o.SkipVerify && !fromEnv {
		return nil, nil
	}
	api, err := startAPI(o.IO, o.Getenv, false, o.Logger())
	if err != nil {
		return nil, err
	}
	if _, err := api.Client(); err != nil && !fromEnv {
		return nil, withCode(exitError, fmt.Errorf("no webhook signing secret: set %s, or %s to fetch it", envWebhookSecret, envAPIToken),
			"find the secret at https://replicate.com/account/webhook",
			"or pass --skip-verify to accept deliveries without checking signatures")
	}
	return resolveSecret(ctx, o.Getenv, api.Client)
}

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/simulator"
)

type simulatorOptions struct {
	IO      *IOStreams
	Listen  string
	Token   string
	Secret  string
	JSON    bool
	Verbose bool
	Config  simulator.Config
}

func newSimulatorCmd(f *factory) *cobra.Command {
	opts := &simulatorOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "simulator",
		Short: "Run a Replicate-compatible API on localhost that sends real signed webhooks",
		Long: `Run a Replicate-compatible API for offline work and tests. It prints its base
URL (ending in /v1), its token and its webhook signing secret as shell exports on
stdout (with --json, one JSON line), then serves until Ctrl-C.

Its catalog: zeke/chaos-monkey, a community model run by version (inputs sleep
and outcome: success, error, bad_return_type, random_data), also through the
deployment acme/chaos-monkey; and three official models run by name: acme/echo,
which echoes its input (a file input as its size and content type), acme/image,
which makes PNG files (num_outputs, width, height, seed), and acme/stream, which
streams tokens over urls.stream (prompt, max_tokens). Other models are unknown
(404), as on Replicate. It serves the files API (/v1/files) too; output files
and predictions' data are removed --output-ttl after completion.
The official clients work against it when pointed at its base URL; what still
differs from Replicate is in docs/simulator.md.`,
		Example: `  notifier simulator --listen 127.0.0.1:8788
  # in another shell:
  export REPLICATE_BASE_URL=http://127.0.0.1:8788/v1 REPLICATE_API_TOKEN=<printed token>
  notifier run --tunnel none sleep=1

  # chaos: drop every webhook, answer 429 to a fifth of the calls
  notifier simulator --drop-webhooks --throttle-rate 0.2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Verbose = f.Verbose
			return simulatorRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:8788", "Address to serve the API on.")
	fl.StringVar(&opts.Token, "token", "", "API token clients must send (default: random).")
	fl.StringVar(&opts.Secret, "secret", "", "Webhook signing secret: whsec_ followed by the base64 of 24 to 64 bytes (default: random).")
	fl.BoolVar(&opts.JSON, "json", false, "Print one JSON line with base_url, token and webhook_secret when ready.")
	fl.Int64Var(&opts.Config.Seed, "seed", 0, "Make prediction ids, webhook ids and faults deterministic (0 = random).")
	fl.BoolVar(&opts.Config.Faults.DropWebhooks, "drop-webhooks", false, "Fault: never deliver webhooks.")
	fl.BoolVar(&opts.Config.Faults.DuplicateWebhooks, "duplicate-webhooks", false, "Fault: deliver every webhook twice.")
	fl.DurationVar(&opts.Config.Faults.WebhookDelay, "webhook-delay", 0, "Fault: delay every webhook by this long.")
	fl.BoolVar(&opts.Config.Faults.BadSignature, "bad-signature", false, "Fault: sign webhooks with the wrong secret.")
	fl.BoolVar(&opts.Config.Faults.WebhookBeforeCreate, "webhook-before-create", false, "Fault: deliver the first webhook before the create call returns.")
	fl.BoolVar(&opts.Config.Faults.Abort, "abort", false, "Fault: abort every prediction, as if its deadline passed before it started.")
	fl.Float64Var(&opts.Config.Faults.FailRate, "fail-rate", 0, "Fault: fail this fraction of predictions, whatever their input.")
	fl.Float64Var(&opts.Config.Faults.ThrottleRate, "throttle-rate", 0, "Fault: answer this fraction of API calls with 429.")
	fl.Float64Var(&opts.Config.Faults.ServerErrorRate, "error-rate", 0, "Fault: answer this fraction of API calls with 500.")
	fl.DurationVar(&opts.Config.OutputTTL, "output-ttl", simulator.DefaultOutputTTL,
		"How long a prediction keeps its input, output and output files after it completes (Replicate: 1h).")
	return cmd
}

func simulatorRun(ctx context.Context, opts *simulatorOptions) error {
	if opts.Config.OutputTTL <= 0 {
		return usageErrorf("--output-ttl must be positive")
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"--throttle-rate", opts.Config.Faults.ThrottleRate}, {"--error-rate", opts.Config.Faults.ServerErrorRate}, {"--fail-rate", opts.Config.Faults.FailRate}} {
		if r.v < 0 || r.v > 1 {
			return usageErrorf("%s must be between 0 and 1", r.name)
		}
	}
	if opts.Secret != "" {
		if err := simulator.CheckSecret(opts.Secret); err != nil {
			return usageError(fmt.Errorf("invalid --secret: %w", err),
				"leave --secret out for a random one, or make one with: echo whsec_$(head -c 32 /dev/urandom | base64)")
		}
	}
	cfg := opts.Config
	cfg.Token, cfg.Secret = opts.Token, opts.Secret
	pr := newProgress(opts.IO)
	if opts.Verbose {
		cfg.OnEvent = func(e simulator.Event) {
			pr.infof("%s  %s", e.Time.Local().Format(time.TimeOnly), simEventLine(e))
		}
	}
	sim, err := simulator.New(cfg)
	if err != nil {
		return usageErrorf("simulator: %v", err)
	}
	base, err := sim.Start(opts.Listen)
	if errors.Is(err, syscall.EADDRINUSE) {
		return withHint(fmt.Errorf("starting simulator: %s is already in use", opts.Listen),
			"stop what listens there, or pick another --listen address (port 0 picks a free one)")
	}
	if err != nil {
		return fmt.Errorf("starting simulator: %w", err)
	}
	defer sim.Close()
	if opts.JSON {
		b, _ := json.Marshal(map[string]string{"base_url": base, "token": sim.Token(), "webhook_secret": sim.Secret()})
		fmt.Fprintf(opts.IO.Out, "%s\n", b)
	} else {
		fmt.Fprintf(opts.IO.Out, "export %s=%s\nexport %s=%s\nexport %s=%s\n",
			envBaseURL, shellQuote(base), envAPIToken, shellQuote(sim.Token()), envWebhookSecret, shellQuote(sim.Secret()))
		pr.infof("simulator: serving a Replicate-compatible API at %s; Ctrl-C to stop", base)
	}
	<-ctx.Done()
	return nil
}

// shellQuote quotes s for a POSIX shell when it is empty or holds a
// character other than letters, digits and -_./:+=@%, so that each export
// stays one word whatever --token holds.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:+=@%,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// simEventLine renders a simulator event for --verbose, without a time:
// run and listen log it through factory.logger, which stamps each line
// itself, and `notifier simulator -v` puts the event's time in front.
func simEventLine(e simulator.Event) string {
	switch e.Kind {
	case "api", "page", "delivery", "stream":
		return fmt.Sprintf("%-8s %s %s -> %d", e.Kind, e.Method, e.Path, e.Status)
	case "webhook", "webhook_dropped":
		s := fmt.Sprintf("%-8s %s %s %s -> %d", "webhook", e.Event, e.PredictionID, e.WebhookID, e.Status)
		if e.Kind == "webhook_dropped" {
			s += " (dropped by fault)"
		}
		if e.Err != "" {
			s += " " + e.Err
		}
		return s
	}
	return fmt.Sprintf("%-8s %s", e.Kind, e.PredictionID)
}

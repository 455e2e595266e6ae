package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/replicate/replicate-go"
	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/delivery"
	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/webhook"
)

type replayOptions struct {
	IO     *IOStreams
	Getenv func(string) string
	Now    func() time.Time

	File        string
	ID          string
	To          string
	Resign      bool
	JSON        bool
	Concurrency int
	Repeat      int
	Rate        float64
}

func newReplayCmd(f *factory) *cobra.Command {
	opts := &replayOptions{IO: f.IO, Getenv: f.Getenv, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "replay FILE [--id WEBHOOK_ID] --to URL [--resign] [--json]",
		Short: "Re-send deliveries recorded by listen --record",
		Long: `Send the deliveries recorded in FILE (by 'notifier listen --record FILE') to
URL again, one at a time, with their original headers and raw body, and show
each answer. Every accepted delivery is replayed, in order; duplicates and
rejections are not. --id picks the delivery with that webhook-id; when it was
only ever rejected, its rejected attempts are sent.

The recorded signatures stay valid for 5 minutes after they were made; after
that, --resign signs each delivery afresh with REPLICATE_WEBHOOK_SECRET, a new
webhook-timestamp and the same webhook-id.

With --json, stdout holds one JSON object per replay and nothing else:
{"webhook_id","prediction_id","status","duration_ms"}, or "error" instead of
"status" when no answer came.

Exits 0 when every replay was answered 2xx, 1 otherwise.`,
		Example: `  notifier listen --record deliveries.jsonl
  notifier replay deliveries.jsonl --to http://localhost:3000/webhooks

  # one delivery, re-signed so that it passes the 5-minute window
  notifier replay deliveries.jsonl --id msg_2Yx... --to http://localhost:3000/webhooks --resign

  # the replays that were not answered 2xx
  notifier replay deliveries.jsonl --to http://localhost:3000/webhooks --json | jq -c 'select(.error or .status >= 300)'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			return replayRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.To, "to", "", "Send the deliveries to this http(s) URL (required).")
	fl.StringVar(&opts.ID, "id", "", "Replay only the delivery with this webhook-id (its rejected attempts when it was never accepted).")
	fl.BoolVar(&opts.Resign, "resign", false, "Sign each delivery afresh with "+envWebhookSecret+" and the current time.")
	fl.BoolVar(&opts.JSON, "json", false, "Print one JSON object per replay on stdout: webhook_id, prediction_id, status or error, duration_ms (under load, the summary).")
	fl.IntVar(&opts.Concurrency, "concurrency", 1, "Load: send this many at once.")
	fl.IntVar(&opts.Repeat, "repeat", 1, "Load: send the selection this many times; with --resign each copy gets a fresh webhook-id.")
	fl.Float64Var(&opts.Rate, "rate", 0, "Load: send at most this many a second (0 = no limit).")
	return cmd
}

func replayRun(ctx context.Context, opts *replayOptions) error {
	target, secret, err := opts.validate()
	if err != nil {
		return err
	}
	recs, err := delivery.ReadFile(opts.File)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("reading recorded deliveries: %w", err)
	}
	if err != nil {
		return err // it names the file and the malformed line
	}
	sel, err := delivery.Select(recs, opts.ID)
	if err != nil {
		return fmt.Errorf("%s holds %w", opts.File, err)
	}
	if secret == nil {
		warnStale(newProgress(opts.IO), sel, opts.Now())
	}
	if opts.load() {
		return replayLoad(ctx, opts, target, secret, sel)
	}
	client, failed := delivery.NewClient(0), 0
	for _, rec := range sel {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		body, _ := rec.RawBody() // checked by ReadFile
		header := rec.Headers.Clone()
		if header == nil {
			header = http.Header{}
		}
		if secret != nil {
			secret.SignHeaders(header, rec.WebhookID, opts.Now(), body)
		}
		res := delivery.Send(ctx, client, rec.Method, target, header, body)
		if opts.JSON {
			if err := writeReplayJSON(opts.IO.Out, rec.WebhookID, predictionID(body), res); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(opts.IO.Out, "--> %s  %s  <-- %s\n", clean(orDash(rec.WebhookID)), clean(orDash(predictionID(body))), answerText(res))
		}
		if !res.OK() {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d replays were not answered 2xx", failed, len(sel))
	}
	return nil
}

// replayJSON is one line of replay --json (docs/usage.md, "notifier replay").
type replayJSON struct {
	WebhookID    string  `json:"webhook_id"`
	PredictionID string  `json:"prediction_id"`
	Status       int     `json:"status,omitempty"` // the HTTP status; absent when no answer came
	DurationMS   float64 `json:"duration_ms"`      // to the microsecond
	Error        string  `json:"error,omitempty"`  // why no answer came
}

// writeReplayJSON prints one replay as a JSON line.
func writeReplayJSON(w io.Writer, webhookID, predictionID string, r delivery.Result) error {
	b, err := json.Marshal(replayJSON{WebhookID: webhookID, PredictionID: predictionID, Status: r.Status,
		DurationMS: math.Round(float64(r.Duration)/float64(time.Microsecond)) / 1000, Error: r.Describe(delivery.DefaultTimeout)})
	if err != nil {
		return err
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	return nil
}

// answerText renders a send's answer as "200 OK (12ms)" or "error: connection refused".
func answerText(r delivery.Result) string {
	if r.Err != nil {
		return "error: " + r.Describe(delivery.DefaultTimeout)
	}
	return fmt.Sprintf("%s (%s)", statusText(r.Status), prediction.Round(r.Duration))
}

// validate checks the flags and finds the signing secret for --resign.
func (o *replayOptions) validate() (string, *webhook.Secret, error) {
	if o.To == "" {
		return "", nil, usageErrorf("--to is required: the URL to send the deliveries to")
	}
	u, err := delivery.ParseTarget(o.To)
	if err != nil {
		return "", nil, usageErrorf("invalid --to %q: %v", o.To, err)
	}
	switch {
	case o.Concurrency < 1:
		return "", nil, usageErrorf("--concurrency must be at least 1")
	case o.Repeat < 1:
		return "", nil, usageErrorf("--repeat must be at least 1")
	case o.Rate < 0 || o.Rate > 0 && o.Rate < minRate:
		return "", nil, usageErrorf("--rate must be 0 (no limit) or at least %g a second", minRate)
	}
	if !o.Resign {
		return u.String(), nil, nil
	}
	noClient := func() (*replicate.Client, error) { return nil, errNoResignSecret }
	s, err := resolveSecret(context.Background(), o.Getenv, noClient)
	if errors.Is(err, errNoResignSecret) {
		return "", nil, withCode(exitUsage, err,
			"export "+envWebhookSecret+"=whsec_... with the secret your app verifies with (see https://replicate.com/account/webhook)")
	}
	return u.String(), s, err
}

// errNoResignSecret: replay signs only with the secret from the environment,
// never one fetched with the API token, so the user knows which key signed.
var errNoResignSecret = errors.New("--resign needs " + envWebhookSecret + ", the secret to sign with")

// warnStale says when recorded signatures are past the replay window, where
// receivers that check it will refuse them.
func warnStale(pr *progress, recs []delivery.Record, now time.Time) {
	stale := 0
	for _, rec := range recs {
		sec, err := strconv.ParseInt(rec.Headers.Get(webhook.HeaderTimestamp), 10, 64)
		if err == nil && now.Sub(time.Unix(sec, 0)) > webhook.DefaultTolerance {
			stale++
		}
	}
	if stale > 0 {
		pr.warnf("%d of %d deliveries were signed more than %s ago: receivers that check the timestamp will refuse them (use --resign)",
			stale, len(recs), webhook.DefaultTolerance)
	}
}

// predictionID is the "id" of a prediction body, "" when there is none.
func predictionID(body []byte) string {
	var p struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	return p.ID
}

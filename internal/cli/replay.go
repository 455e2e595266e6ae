package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/notifier-dev/notifier/internal/webhook"
	"github.com/replicate/replicate-go"
	"github.com/spf13/cobra"
)

type replayOptions struct {
	IO     *IOStreams
	Getenv func(string) string
	Now    func() time.Time

	File   string
	ID     string
	To     string
	Resign bool
}

func newReplayCmd(f *factory) *cobra.Command {
	opts := &replayOptions{IO: f.IO, Getenv: f.Getenv, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "replay FILE [--id WEBHOOK_ID] --to URL [--resign]",
		Short: "Re-send deliveries recorded by listen --record",
		Long: `Send the deliveries recorded in FILE (by 'notifier listen --record FILE') to
URL again, one at a time, with their original headers and raw body, and show
each answer. Every accepted delivery is replayed, in order; duplicates and
rejections are not. --id picks the delivery with that webhook-id; when it was
only ever rejected, its rejected attempts are sent.

The recorded signatures stay valid for 5 minutes after they were made; after
that, --resign signs each delivery afresh with REPLICATE_WEBHOOK_SECRET, a new
webhook-timestamp and the same webhook-id.

Exits 0 when every replay was answered 2xx, 1 otherwise.`,
		Example: `  notifier listen --record deliveries.jsonl
  notifier replay deliveries.jsonl --to http://localhost:3000/webhooks

  # one delivery, re-signed so that it passes the 5-minute window
  notifier replay deliveries.jsonl --id msg_2Yx... --to http://localhost:3000/webhooks --resign`,
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
	return cmd
}

func replayRun(ctx context.Context, opts *replayOptions) error {
	target, secret, err := opts.validate()
	if err != nil {
		return err
	}
	recs, err := readRecords(opts.File)
	if err != nil {
		return err
	}
	sel, err := selectRecords(recs, opts.ID, opts.File)
	if err != nil {
		return err
	}
	if secret == nil {
		warnStale(newProgress(opts.IO), sel, opts.Now())
	}
	client, failed := newSendClient(), 0
	for _, rec := range sel {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		body, _ := rec.rawBody() // checked by readRecords
		header := rec.Headers.Clone()
		if header == nil {
			header = http.Header{}
		}
		if secret != nil {
			secret.SignHeaders(header, rec.WebhookID, opts.Now(), body)
		}
		res := send(ctx, client, rec.Method, target, header, body)
		fmt.Fprintf(opts.IO.Out, "--> %s  %s  <-- %s\n", orDash(rec.WebhookID), predictionID(body), res)
		if !res.OK() {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d replays were not answered 2xx", failed, len(sel))
	}
	return nil
}

// validate checks the flags and finds the signing secret for --resign.
func (o *replayOptions) validate() (string, *webhook.Secret, error) {
	if o.To == "" {
		return "", nil, usageErrorf("--to is required: the URL to send the deliveries to")
	}
	u, err := parseTargetURL("--to", o.To)
	if err != nil {
		return "", nil, err
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

// readRecords reads a --record file; a malformed line is an error naming it.
func readRecords(path string) ([]recordedDelivery, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading recorded deliveries: %w", err)
	}
	defer f.Close()
	var recs []recordedDelivery
	br := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading recorded deliveries: %w", err)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			rec, perr := parseRecord(line)
			if perr != nil {
				return nil, fmt.Errorf("%s:%d: malformed record: %v", path, n, perr)
			}
			recs = append(recs, rec)
		}
		if err != nil {
			return recs, nil
		}
	}
}

func parseRecord(line []byte) (recordedDelivery, error) {
	var rec recordedDelivery
	if err := json.Unmarshal(line, &rec); err != nil {
		return rec, err
	}
	if rec.Verdict == "" {
		return rec, errors.New("no verdict: not a line written by listen --record")
	}
	if _, err := rec.rawBody(); err != nil {
		return rec, fmt.Errorf("body_base64: %w", err)
	}
	return rec, nil
}

// selectRecords picks what to replay: the accepted deliveries, those of
// webhook-id id only, or when id was never accepted, its rejected attempts.
func selectRecords(recs []recordedDelivery, id, path string) ([]recordedDelivery, error) {
	var sel, others []recordedDelivery
	for _, rec := range recs {
		switch {
		case id != "" && rec.WebhookID != id:
		case rec.accepted():
			sel = append(sel, rec)
		case id != "":
			others = append(others, rec)
		}
	}
	if len(sel) == 0 {
		sel = others
	}
	switch {
	case len(sel) > 0:
		return sel, nil
	case id != "":
		return nil, fmt.Errorf("%s holds no delivery with webhook-id %q", path, id)
	}
	return nil, fmt.Errorf("%s holds no accepted delivery to replay (%d records)", path, len(recs))
}

// warnStale says when recorded signatures are past the replay window, where
// receivers that check it will refuse them (REPLICATE.md §5).
func warnStale(pr *progress, recs []recordedDelivery, now time.Time) {
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

// predictionID is the "id" of a prediction body, "-" when there is none.
func predictionID(body []byte) string {
	var p struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(body, &p) != nil {
		return "-"
	}
	return orDash(p.ID)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

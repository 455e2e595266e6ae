package cli

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/delivery"
	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/waitctx"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// load reports whether replay runs as a load generator: sends at once,
// repeated or paced. It then prints a summary rather than a line per send.
func (o *replayOptions) load() bool {
	return o.Concurrency > 1 || o.Repeat > 1 || o.Rate > 0
}

// loadStats is what a load run counts.
type loadStats struct {
	mu        sync.Mutex
	answers   map[string]int // by answer: "200 OK", "error: connection refused"
	latencies []time.Duration
	failed    int
}

func (s *loadStats) add(r delivery.Result) {
	answer := statusText(r.Status)
	if r.Err != nil {
		answer = "error: " + r.Describe(delivery.DefaultTimeout)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[answer]++
	s.latencies = append(s.latencies, r.Duration)
	if !r.OK() {
		s.failed++
	}
}

// replayLoad sends the selection --repeat times, --concurrency at once, at
// most --rate a second, and summarises throughput, latency and answers.
// With --resign every copy after the first gets a fresh webhook-id
// ("<id>_<copy>"), so that the receiver's dedup does not swallow repeats.
func replayLoad(ctx context.Context, opts *replayOptions, target string, secret *webhook.Secret, sel []delivery.Record) error {
	total := len(sel) * opts.Repeat
	stats := &loadStats{answers: map[string]int{}, latencies: make([]time.Duration, 0, total)}
	client := delivery.NewClient(0)
	client.Transport = &http.Transport{MaxIdleConnsPerHost: opts.Concurrency, MaxConnsPerHost: opts.Concurrency, ForceAttemptHTTP2: true}
	next := make(chan int)
	var wg sync.WaitGroup
	for range opts.Concurrency {
		wg.Go(func() {
			for i := range next {
				stats.add(opts.sendCopy(ctx, client, target, secret, sel, i))
			}
		})
	}
	start := time.Now()
	interval := time.Duration(0)
	if opts.Rate > 0 {
		interval = time.Duration(float64(time.Second) / opts.Rate)
	}
	sent := 0
feed:
	for ; sent < total; sent++ {
		if interval > 0 && waitctx.Sleep(ctx, time.Until(start.Add(time.Duration(sent)*interval))) != nil {
			break
		}
		select {
		case next <- sent:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return reportLoad(opts, stats, sent, total, time.Since(start))
}

// sendCopy sends copy i of the selection.
func (o *replayOptions) sendCopy(ctx context.Context, c *http.Client, target string, secret *webhook.Secret, sel []delivery.Record, i int) delivery.Result {
	rec := sel[i%len(sel)]
	body, _ := rec.RawBody()
	header := rec.Headers.Clone()
	if header == nil {
		header = http.Header{}
	}
	if secret != nil {
		id := rec.WebhookID
		if k := i / len(sel); k > 0 {
			id = fmt.Sprintf("%s_%d", id, k)
		}
		secret.SignHeaders(header, id, o.Now(), body)
	}
	return delivery.Send(ctx, c, rec.Method, target, header, body)
}

// loadSummary is replay's summary under load, and its --json form.
type loadSummary struct {
	Sent       int            `json:"sent"`
	Planned    int            `json:"planned"`
	Seconds    float64        `json:"duration_s"`
	PerSecond  float64        `json:"per_second"`
	Answers    map[string]int `json:"answers"`
	LatencyMS  map[string]any `json:"latency_ms"`
	NotAnswer2 int            `json:"not_2xx"`
}

func reportLoad(opts *replayOptions, stats *loadStats, sent, total int, wall time.Duration) error {
	slices.Sort(stats.latencies)
	sum := loadSummary{Sent: sent, Planned: total, Seconds: wall.Seconds(), Answers: stats.answers, NotAnswer2: stats.failed,
		LatencyMS: map[string]any{}}
	if wall > 0 {
		sum.PerSecond = float64(sent) / wall.Seconds()
	}
	var parts []string
	for _, q := range []struct {
		name string
		p    int
	}{{"p50", 50}, {"p90", 90}, {"p99", 99}, {"max", 100}} {
		d := nearestRank(stats.latencies, q.p)
		sum.LatencyMS[q.name] = float64(d.Microseconds()) / 1000
		parts = append(parts, q.name+" "+prediction.Round(d).String())
	}
	if opts.JSON {
		if err := writeJSONLine(opts.IO.Out, sum); err != nil {
			return err
		}
	}
	newProgress(opts.IO).line(fmt.Sprintf("replay: %d of %d sent in %s: %.0f/s; latency %s; answers: %s",
		sent, total, prediction.Round(wall), sum.PerSecond, strings.Join(parts, ", "), countAnswers(stats.answers)))
	switch {
	case sent < total:
		return withCode(exitInterrupted, fmt.Errorf("interrupted; %d of %d sent", sent, total))
	case stats.failed > 0:
		return fmt.Errorf("%d of %d replays were not answered 2xx", stats.failed, sent)
	}
	return nil
}

// nearestRank is the p-th percentile of sorted ds by the nearest-rank
// method (p 100 is the maximum), 0 for none.
func nearestRank(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	rank := (p*len(ds) + 99) / 100
	return ds[max(rank, 1)-1]
}

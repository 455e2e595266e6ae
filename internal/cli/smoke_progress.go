package cli

import (
	"fmt"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/smoke"
	"github.com/notifier-dev/notifier/internal/watch"
)

// smokeProgress shows smoke mode's progress on stderr: one live line on a
// terminal ("37/100 done, 2 failed, p95 4.1s"), else a line per prediction.
type smokeProgress struct {
	pr     *progress
	count  int
	mu     sync.Mutex
	n      int             // predictions finished
	failed int             // of which did not succeed
	totals []time.Duration // total times known so far, for the live p95
	drawn  bool
}

func newSmokeProgress(pr *progress, count int) *smokeProgress {
	return &smokeProgress{pr: pr, count: count}
}

// done is smoke.Config.OnDone: called once per finished prediction, serially.
func (p *smokeProgress) done(r smoke.Record) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if !p.pr.io.ErrTTY {
		p.pr.line(recordLine(r, p.n, p.count))
		return
	}
	if !r.Succeeded() {
		p.failed++
	}
	if !r.CreatedAt.IsZero() && !r.CompletedAt.IsZero() {
		p.totals = append(p.totals, r.Total)
	}
	line := fmt.Sprintf("%d/%d done, %d failed", p.n, p.count, p.failed)
	if len(p.totals) > 0 {
		line += fmt.Sprintf(", p95 %s", prediction.Round(smoke.StatsOf(p.totals).P95))
	}
	p.pr.mu.Lock()
	fmt.Fprintf(p.pr.io.ErrOut, "\r\033[K%s", line)
	p.pr.mu.Unlock()
	p.drawn = true
}

// finish ends the live line so the summary starts on a fresh one.
func (p *smokeProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		p.pr.mu.Lock()
		fmt.Fprintln(p.pr.io.ErrOut)
		p.pr.mu.Unlock()
	}
}

// recordLine renders one finished prediction, e.g.
// "[37/100] k0pq... succeeded in 1.2s (webhook)".
func recordLine(r smoke.Record, n, count int) string {
	id := r.ID
	if id == "" {
		id = "-"
	}
	s := fmt.Sprintf("[%d/%d] %s %s", n, count, clean(id), clean(r.Status))
	if r.Total > 0 {
		s += " in " + prediction.Round(r.Total).String()
	}
	if r.Via == watch.ViaPoll {
		s += " (by poll: webhook not received)"
	}
	if r.Error != "" {
		s += ": " + clean(oneLine(r.Error))
	}
	return s
}

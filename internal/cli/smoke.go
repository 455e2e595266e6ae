package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/replicate/replicate-go"
	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/smoke"
)

// Smoke-mode defaults: well under Replicate's 600 creations per minute
// (docs/replicate.md, "Errors and rate limits").
const (
	defaultConcurrency = 4
	defaultRate        = 5.0
	// minRate is the slowest --rate: one prediction every 1000 s.
	minRate = 0.001
)

// smokeFlags are run's smoke-mode flags.
type smokeFlags struct {
	Count       int
	Concurrency int
	Rate        float64
	JUnit       string
	MaxFailures int
	MaxP95      time.Duration
}

func addSmokeFlags(cmd *cobra.Command, s *smokeFlags) {
	fl := cmd.Flags()
	fl.IntVar(&s.Count, "count", 1, "Smoke mode: run this many predictions and report a verdict.")
	fl.IntVar(&s.Concurrency, "concurrency", defaultConcurrency, "Smoke mode: at most this many predictions in flight.")
	fl.Float64Var(&s.Rate, "rate", defaultRate, "Smoke mode: at most this many predictions created per second (0 = no limit).")
	fl.StringVar(&s.JUnit, "junit", "", "Smoke mode: write a JUnit XML report to this file.")
	fl.IntVar(&s.MaxFailures, "max-failures", 0, "Smoke mode: exit 3 when more predictions than this did not succeed.")
	fl.DurationVar(&s.MaxP95, "max-p95", 0, "Smoke mode: exit 6 when the p95 of total time exceeds this (0 = no bound).")
}

// plan checks the smoke flags; it returns nil without --count (one prediction).
func (s *smokeFlags) plan(set func(string) bool) (*smokeFlags, error) {
	if !set("count") {
		for _, name := range []string{"concurrency", "rate", "junit", "max-failures", "max-p95"} {
			if set(name) {
				return nil, usageErrorf("--%s needs --count (smoke mode)", name)
			}
		}
		return nil, nil
	}
	switch {
	case s.Count < 1:
		return nil, usageErrorf("--count must be at least 1")
	case s.Concurrency < 1:
		return nil, usageErrorf("--concurrency must be at least 1")
	case s.Rate < 0 || s.Rate > 0 && s.Rate < minRate:
		return nil, usageErrorf("--rate must be 0 (no limit) or at least %g predictions per second", minRate)
	case s.MaxFailures < 0:
		return nil, usageErrorf("--max-failures must not be negative")
	}
	return s, nil
}

// verdictCodes are the exit codes of smoke mode's verdicts.
var verdictCodes = map[smoke.Verdict]int{smoke.Passed: exitOK, smoke.TooManyFailures: exitFailed, smoke.TooSlow: exitSlow}

// smoke runs the smoke test and reports it: progress and summary on stderr,
// the JSON summary on stdout with --json, the JUnit file with --junit, one
// summary notification.
func (s *runSession) smoke(ctx context.Context) error {
	so := s.plan.smoke
	req, err := s.prepare(ctx) // files are uploaded once, for every prediction
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeoutCause(ctx, s.plan.timeout, errTimeout)
	defer cancel()
	live := newSmokeProgress(s.pr, so.Count)
	sum, runErr := smoke.Run(wctx, s.hub, s.client, smoke.Config{
		Count: so.Count, Concurrency: so.Concurrency, Rate: so.Rate, Request: req,
		Options: s.plan.watch, OnDone: live.done,
	})
	live.finish()
	if sum == nil {
		return runErr
	}
	sum.Thresholds = &smoke.Thresholds{MaxFailures: so.MaxFailures, MaxP95: so.MaxP95}
	verdict, reason := sum.Verdict(so.MaxFailures, so.MaxP95)
	sum.ExitCode = verdictCodes[verdict]
	stopErr := s.smokeStopped(sum, runErr)
	printSummary(s.pr, sum, verdict, reason, runErr != nil)
	if err := s.writeSmokeOutputs(sum); err != nil {
		return err
	}
	notifyErr := s.notifySummary(ctx, sum, verdict, reason)
	switch {
	case stopErr != nil:
		return stopErr
	case verdict != smoke.Passed:
		if notifyErr != nil {
			s.pr.warnf("%v", notifyErr)
		}
		return withCode(sum.ExitCode, errors.New("smoke test failed: "+reason))
	}
	return notifyErr
}

// smokeStopped returns the error of a run cut short by --timeout or Ctrl-C,
// and records it in the summary, so that its JSON verdict and the exit code
// agree.
func (s *runSession) smokeStopped(sum *smoke.Summary, runErr error) error {
	var err error
	switch {
	case runErr == nil:
		return nil
	case errors.Is(runErr, errTimeout):
		err = withCode(exitTimeout, fmt.Errorf("timed out after %s; %d of %d predictions finished", s.plan.timeout, len(sum.Records), sum.Count))
	default:
		err = withCode(exitInterrupted, fmt.Errorf("interrupted; %d of %d predictions finished", len(sum.Records), sum.Count))
	}
	sum.ExitCode, _ = exitCodeOf(err)
	sum.Stopped = err.Error()
	return err
}

// notifySummary sends smoke mode's one summary, when a route wants it: the
// verdict failed, or a prediction ended in a status it asked for.
func (s *runSession) notifySummary(ctx context.Context, sum *smoke.Summary, v smoke.Verdict, reason string) error {
	if s.notify == nil {
		return nil
	}
	word := "PASS"
	if v != smoke.Passed {
		word = "FAIL"
	}
	lines := []string{
		fmt.Sprintf("verdict: %s: %s", word, reason),
		fmt.Sprintf("%d of %d predictions finished in %s: %s", len(sum.Records), sum.Count, prediction.Round(sum.Wall), countsLine(sum.Counts)),
	}
	for _, row := range sum.Table() {
		lines = append(lines, strings.Join(row, "\t")) // a table row: aligned in both parts of the email
	}
	var statuses []replicate.Status
	for status := range sum.Counts {
		statuses = append(statuses, replicate.Status(status))
	}
	for _, r := range sum.Records {
		if !r.Succeeded() {
			lines = append(lines, recordLine(r, r.Index, sum.Count))
		}
	}
	s.notify.Notify(notify.Notification{Kind: notify.KindSummary, Title: fmt.Sprintf("smoke %s: %s", s.plan.model, word),
		Lines: lines, Failed: v != smoke.Passed, Statuses: statuses})
	return closeDispatcher(ctx, s.notify, s.pr, s.plan.grace)
}

// writeSmokeOutputs writes the --json summary and the --junit report.
func (s *runSession) writeSmokeOutputs(sum *smoke.Summary) error {
	if s.plan.json {
		b, err := json.Marshal(sum)
		if err != nil {
			return fmt.Errorf("encoding summary: %w", err)
		}
		if _, err := s.io.Out.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("writing summary: %w", err)
		}
	}
	path := s.plan.smoke.JUnit
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing JUnit report: %w", err)
	}
	if err := smoke.WriteJUnit(f, sum, "notifier smoke "+s.plan.model); err != nil {
		f.Close()
		return fmt.Errorf("writing JUnit report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing JUnit report %s: %w", path, err)
	}
	return nil
}

// printSummary writes the verdict table to stderr.
func printSummary(pr *progress, s *smoke.Summary, v smoke.Verdict, reason string, partial bool) {
	var b strings.Builder
	what := "smoke"
	if partial {
		what = "smoke (partial)"
	}
	fmt.Fprintf(&b, "%s: %d of %d predictions finished in %s: %s", what, len(s.Records), s.Count, prediction.Round(s.Wall), countsLine(s.Counts))
	if s.ByPoll > 0 {
		fmt.Fprintf(&b, "; %d result(s) fetched by polling, webhook not received", s.ByPoll)
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, row := range s.Table() {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	verdict := pr.strong("PASS")
	if v != smoke.Passed {
		verdict = pr.warn("FAIL")
	}
	fmt.Fprintf(&b, "verdict: %s: %s", verdict, reason)
	pr.line(b.String())
}

// countsLine renders counts by status, e.g. "98 succeeded, 2 failed".
func countsLine(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], clean(k)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

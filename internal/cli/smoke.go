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

	"github.com/notifier-dev/notifier/internal/notify/email"
	"github.com/notifier-dev/notifier/internal/smoke"
	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/replicate/replicate-go"
)

// Smoke-mode defaults: well under Replicate's 600 creations per minute (REPLICATE.md §3).
const (
	defaultConcurrency = 4
	defaultRate        = 5.0
)

// smokeOptions are run's smoke-mode flags (DESIGN.md §2).
type smokeOptions struct {
	Count       int
	Concurrency int
	Rate        float64
	JUnit       string
	MaxFailures int
	MaxP95      time.Duration
}

// validate checks the smoke flags; set tells which flags were given.
func (o *smokeOptions) validate(set func(string) bool) error {
	if !set("count") {
		for _, name := range []string{"concurrency", "rate", "junit", "max-failures", "max-p95"} {
			if set(name) {
				return usageErrorf("--%s needs --count (smoke mode)", name)
			}
		}
		return nil
	}
	switch {
	case o.Count < 1:
		return usageErrorf("--count must be at least 1")
	case o.Concurrency < 1:
		return usageErrorf("--concurrency must be at least 1")
	case o.Rate < 0:
		return usageErrorf("--rate must not be negative (0 = no limit)")
	case o.MaxFailures < 0:
		return usageErrorf("--max-failures must not be negative")
	case o.MaxP95 < 0:
		return usageErrorf("--max-p95 must not be negative")
	}
	return nil
}

// runSmoke runs the smoke test and reports it: progress and summary on
// stderr, the JSON summary on stdout with --json, the JUnit file with --junit.
func runSmoke(ctx context.Context, opts *runOptions, hub *watch.Hub, c *replicate.Client, req watch.Request, pr *progress) error {
	so := opts.Smoke
	live := newSmokeProgress(pr, so.Count)
	s, runErr := smoke.Run(ctx, hub, c, smoke.Config{
		Count: so.Count, Concurrency: so.Concurrency, Rate: so.Rate, Request: req,
		Options: watch.Options{PollInterval: opts.PollInterval, NoCancel: opts.NoCancel},
		OnDone:  live.done,
	})
	live.finish()
	if s == nil {
		return runErr
	}
	s.Thresholds = &smoke.Thresholds{MaxFailures: so.MaxFailures, MaxP95: so.MaxP95}
	code, reason := s.Verdict(so.MaxFailures, so.MaxP95)
	printSummary(pr, s, code, reason, runErr != nil)
	if err := writeSmokeOutputs(opts, s); err != nil {
		return err
	}
	mailErr := emailSummary(ctx, opts, s, code, reason, pr)
	if runErr != nil {
		if errors.Is(runErr, errTimeout) {
			return withCode(exitTimeout, fmt.Errorf("timed out after %s; %d of %d predictions finished", opts.Timeout, len(s.Records), so.Count))
		}
		return withCode(exitInterrupted, fmt.Errorf("interrupted; %d of %d predictions finished", len(s.Records), so.Count))
	}
	if code != smoke.VerdictPassed {
		if mailErr != nil {
			pr.warnf("%v", mailErr)
		}
		return withCode(code, errors.New("smoke test failed: "+reason))
	}
	return mailErr
}

// emailSummary sends smoke mode's one summary email, when --email-to was given
// and the verdict failed or any prediction ended in a status of --email-on.
func emailSummary(ctx context.Context, opts *runOptions, s *smoke.Summary, code int, reason string, pr *progress) error {
	m := opts.mailer
	if m == nil {
		return nil
	}
	wanted := code != smoke.VerdictPassed // a failed smoke test is always worth an email
	for status := range s.Counts {
		wanted = wanted || m.wants(replicate.Status(status))
	}
	if !wanted {
		return nil
	}
	verdict := "PASS"
	if code != smoke.VerdictPassed {
		verdict = "FAIL"
	}
	lines := []string{
		fmt.Sprintf("verdict: %s: %s", verdict, reason),
		fmt.Sprintf("%d of %d predictions finished in %s: %s", len(s.Records), s.Count, roundDur(s.Wall), countsLine(s.Counts)),
	}
	for _, row := range s.Table() {
		lines = append(lines, strings.Join(row, "  "))
	}
	for _, r := range s.Records {
		if !r.Succeeded() {
			lines = append(lines, recordLine(r, r.Index, s.Count))
		}
	}
	msg, err := email.BuildSummary(fmt.Sprintf("[notifier] smoke %s: %s", opts.modelName(), verdict), lines)
	if err != nil {
		return fmt.Errorf("building email: %w", err)
	}
	if err := m.send(ctx, msg); err != nil {
		return err
	}
	pr.infof("emailed the summary to %s", strings.Join(m.to, ", "))
	return nil
}

// writeSmokeOutputs writes the --json summary and the --junit report.
func writeSmokeOutputs(opts *runOptions, s *smoke.Summary) error {
	if opts.JSON {
		b, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("encoding summary: %w", err)
		}
		if _, err := opts.IO.Out.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("writing summary: %w", err)
		}
	}
	if opts.Smoke.JUnit == "" {
		return nil
	}
	f, err := os.Create(opts.Smoke.JUnit)
	if err != nil {
		return fmt.Errorf("writing JUnit report: %w", err)
	}
	if err := smoke.WriteJUnit(f, s, "notifier smoke "+opts.modelName()); err != nil {
		f.Close()
		return fmt.Errorf("writing JUnit report %s: %w", opts.Smoke.JUnit, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing JUnit report %s: %w", opts.Smoke.JUnit, err)
	}
	return nil
}

// printSummary writes the verdict table to stderr.
func printSummary(pr *progress, s *smoke.Summary, code int, reason string, partial bool) {
	var b strings.Builder
	what := "smoke"
	if partial {
		what = "smoke (partial)"
	}
	fmt.Fprintf(&b, "%s: %d of %d predictions finished in %s: %s", what, len(s.Records), s.Count, roundDur(s.Wall), countsLine(s.Counts))
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
	if code != smoke.VerdictPassed {
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
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

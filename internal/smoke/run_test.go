package smoke_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/smoke"
	"github.com/notifier-dev/notifier/internal/watch"
)

// testTimeout bounds every run, so a bug fails the test instead of hanging it.
const testTimeout = 60 * time.Second

// run runs cfg in e with a test deadline, collecting OnDone calls.
func run(t *testing.T, e *testEnv, cfg smoke.Config) (*smoke.Summary, []smoke.Record, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var mu sync.Mutex
	var done []smoke.Record
	cfg.OnDone = func(r smoke.Record) {
		mu.Lock()
		defer mu.Unlock()
		done = append(done, r)
	}
	s, err := smoke.Run(ctx, e.hub, e.client, cfg)
	return s, done, err
}

// checkComplete checks a run in which every prediction got a record.
func checkComplete(t *testing.T, s *smoke.Summary, done []smoke.Record, count int) {
	t.Helper()
	if s.Count != count || len(s.Records) != count || len(done) != count {
		t.Fatalf("Count %d, %d records, %d OnDone calls; want %d", s.Count, len(s.Records), len(done), count)
	}
	ids := map[string]bool{}
	for i, r := range s.Records {
		if r.Index != i+1 {
			t.Fatalf("record %d has Index %d", i, r.Index)
		}
		if r.ID == "" || ids[r.ID] {
			t.Fatalf("record %d: id %q empty or repeated", r.Index, r.ID)
		}
		ids[r.ID] = true
	}
}

func TestRunAllSucceed(t *testing.T) {
	e := newEnv(t, simulator.Faults{})
	s, done, err := run(t, e, smoke.Config{Count: 200, Concurrency: 20, Request: e.request(map[string]any{"sleep": 0.2})})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkComplete(t, s, done, 200)
	if s.Counts["succeeded"] != 200 || len(s.Counts) != 1 || s.Failures() != 0 {
		t.Errorf("Counts %v, Failures %d; want 200 succeeded", s.Counts, s.Failures())
	}
	for _, r := range s.Records {
		if r.Via != watch.ViaWebhook || r.Error != "" || r.LogTail != nil {
			t.Fatalf("record %+v: want via webhook, no error, no logs kept", r)
		}
		if r.Predict < 200*time.Millisecond || r.Total < r.Predict || r.Queue < 0 {
			t.Fatalf("record %d: queue %v predict %v total %v", r.Index, r.Queue, r.Predict, r.Total)
		}
	}
	for name, st := range map[string]smoke.Stats{"queue": s.Queue, "predict": s.Predict, "total": s.Total, "lag": s.Lag} {
		if st.N != 200 || st.Min > st.P50 || st.P50 > st.P95 || st.P95 > st.Max {
			t.Errorf("%s stats %+v", name, st)
		}
	}
	if code, reason := s.Verdict(0, 0); code != smoke.Passed {
		t.Errorf("Verdict = %d %q, want passed", code, reason)
	}
	if s.Wall <= 0 || s.Started.IsZero() {
		t.Errorf("Wall %v, Started %v", s.Wall, s.Started)
	}
	if n := e.creates.Load(); n != 200 {
		t.Errorf("%d predictions created, want 200", n)
	}

	s.Thresholds = &smoke.Thresholds{}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Count   int            `json:"count"`
		Done    int            `json:"done"`
		Counts  map[string]int `json:"counts"`
		Verdict struct {
			Result string
			Code   int
		}
		Total struct {
			N   int      `json:"n"`
			P95 *float64 `json:"p95_s"`
		}
		Records []map[string]any
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Count != 200 || got.Done != 200 || got.Counts["succeeded"] != 200 || got.Verdict.Code != 0 || got.Verdict.Result != "passed" ||
		got.Total.N != 200 || got.Total.P95 == nil || *got.Total.P95 < 0.2 || len(got.Records) != 200 {
		t.Errorf("JSON summary: %.600s", raw)
	}
}

func TestRunFailRate(t *testing.T) {
	e := newEnv(t, simulator.Faults{FailRate: 0.1})
	s, done, err := run(t, e, smoke.Config{Count: 100, Concurrency: 20, Request: e.request(map[string]any{"sleep": 0})})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkComplete(t, s, done, 100)
	failed := s.Counts["failed"]
	if failed == 0 || failed+s.Counts["succeeded"] != 100 || s.Failures() != failed {
		t.Fatalf("Counts %v, Failures %d; want some failed, the rest succeeded", s.Counts, s.Failures())
	}
	if code, reason := s.Verdict(0, 0); code != smoke.TooManyFailures || !strings.Contains(reason, "did not succeed") {
		t.Errorf("Verdict(0, 0) = %d %q, want %d", code, reason, smoke.TooManyFailures)
	}
	if code, _ := s.Verdict(failed, 0); code != smoke.Passed {
		t.Errorf("Verdict(%d, 0) = %d, want passed", failed, code)
	}
	for _, r := range s.Records {
		if r.Status == "failed" && (r.Error != "simulated failure (fault)" || len(r.LogTail) == 0) {
			t.Errorf("failed record %+v: want the fault's error and logs", r)
		}
	}

	var buf bytes.Buffer
	if err := smoke.WriteJUnit(&buf, s, "smoke"); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("parsing the report: %v\n%s", err, buf.Bytes())
	}
	if len(doc.Suites) != 1 || doc.Tests != 100 || doc.Failures != failed || doc.Errors != 0 {
		t.Fatalf("testsuites tests=%d failures=%d errors=%d, %d suites; want 100, %d, 0, 1",
			doc.Tests, doc.Failures, doc.Errors, len(doc.Suites), failed)
	}
	suite := doc.Suites[0]
	if suite.Tests != 100 || suite.Failures != failed || len(suite.Cases) != 100 || suite.Timestamp == "" {
		t.Errorf("testsuite %+v", suite)
	}
	var failures int
	for _, c := range suite.Cases {
		if c.Failure == nil {
			continue
		}
		failures++
		if c.Failure.Type != "failed" || !strings.Contains(c.Failure.Message, "simulated failure (fault)") ||
			!strings.Contains(c.Failure.Text, "error: simulated failure (fault)") || !strings.Contains(c.Failure.Text, "log lines") {
			t.Errorf("testcase %q: failure %+v", c.Name, c.Failure)
		}
	}
	if failures != failed {
		t.Errorf("%d testcases with a failure, want %d", failures, failed)
	}
}

// TestRunThrottled has a fifth of the API calls answered 429: every
// prediction still succeeds, through Run's own retries.
func TestRunThrottled(t *testing.T) {
	e := newEnv(t, simulator.Faults{ThrottleRate: 0.2})
	s, done, err := run(t, e, smoke.Config{Count: 200, Concurrency: 20, ThrottleBackoff: time.Millisecond,
		Request: e.request(map[string]any{"sleep": 0})})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkComplete(t, s, done, 200)
	if s.Counts["succeeded"] != 200 {
		t.Errorf("Counts %v, want 200 succeeded", s.Counts)
	}
	if n := e.throttled.Load(); n == 0 {
		t.Error("no create was answered 429: the test exercised nothing")
	}
	if n := e.creates.Load(); n != 200 {
		t.Errorf("%d predictions created, want 200", n)
	}
}

func TestRunCreateErrors(t *testing.T) {
	e := newEnv(t, simulator.Faults{})
	req := e.request(nil)
	req.Version = strings.Repeat("0", 64)
	s, done, err := run(t, e, smoke.Config{Count: 3, Concurrency: 2, Request: req})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(s.Records) != 3 || len(done) != 3 || s.Counts[smoke.StatusError] != 3 || s.Failures() != 3 {
		t.Fatalf("Counts %v, %d records", s.Counts, len(s.Records))
	}
	for _, r := range s.Records {
		if r.ID != "" || !strings.HasPrefix(r.Error, "creating prediction: ") {
			t.Errorf("record %+v", r)
		}
	}
	if code, _ := s.Verdict(2, 0); code != smoke.TooManyFailures {
		t.Errorf("Verdict = %d, want %d", code, smoke.TooManyFailures)
	}
	var buf bytes.Buffer
	if err := smoke.WriteJUnit(&buf, s, "smoke"); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Errors != 3 || doc.Failures != 0 || doc.Suites[0].Cases[0].Error == nil {
		t.Errorf("report:\n%s", buf.Bytes())
	}
}

func TestRunConfig(t *testing.T) {
	e := newEnv(t, simulator.Faults{})
	for _, cfg := range []smoke.Config{{Count: -1}, {Count: 1, Concurrency: -1}, {Count: 1, Rate: -1}} {
		if s, err := smoke.Run(context.Background(), e.hub, e.client, cfg); err == nil || s != nil {
			t.Errorf("Run(%+v) = %v, %v; want an error", cfg, s, err)
		}
	}
	s, err := smoke.Run(context.Background(), e.hub, e.client, smoke.Config{})
	if err != nil || s.Count != 0 || len(s.Records) != 0 {
		t.Errorf("Run with Count 0 = %+v, %v", s, err)
	}
	// Rate and the default concurrency of 1 are honoured end to end.
	s, _, err = run(t, e, smoke.Config{Count: 3, Rate: 1000, Request: e.request(map[string]any{"sleep": 0})})
	if err != nil || s.Counts["succeeded"] != 3 {
		t.Errorf("Run = %v, %v", s.Counts, err)
	}
}

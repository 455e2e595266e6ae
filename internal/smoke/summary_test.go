package smoke_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/smoke"
	"github.com/notifier-dev/notifier/internal/watch"
)

// seconds returns 1..n seconds, shuffled deterministically.
func seconds(n int) []time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		ds[(i*7)%n] = time.Duration(i+1) * time.Second // 7 is prime to the sizes used
	}
	return ds
}

func TestStatsOf(t *testing.T) {
	s := time.Second
	tests := []struct {
		name string
		in   []time.Duration
		want smoke.Stats
	}{
		{"empty", nil, smoke.Stats{}},
		{"one", []time.Duration{3 * s}, smoke.Stats{Min: 3 * s, P50: 3 * s, P95: 3 * s, Max: 3 * s, N: 1}},
		{"two", []time.Duration{2 * s, 1 * s}, smoke.Stats{Min: s, P50: s, P95: 2 * s, Max: 2 * s, N: 2}},
		{"unsorted three", []time.Duration{5 * s, s, 3 * s}, smoke.Stats{Min: s, P50: 3 * s, P95: 5 * s, Max: 5 * s, N: 3}},
		// Nearest rank: p50 of 1..10 is the 5th value, p95 the ceil(9.5) = 10th.
		{"ten", seconds(10), smoke.Stats{Min: s, P50: 5 * s, P95: 10 * s, Max: 10 * s, N: 10}},
		{"twenty", seconds(20), smoke.Stats{Min: s, P50: 10 * s, P95: 19 * s, Max: 20 * s, N: 20}},
		{"hundred", seconds(100), smoke.Stats{Min: s, P50: 50 * s, P95: 95 * s, Max: 100 * s, N: 100}},
		{"hundred and one", seconds(101), smoke.Stats{Min: s, P50: 51 * s, P95: 96 * s, Max: 101 * s, N: 101}},
		{"ties", []time.Duration{s, s, s, 9 * s}, smoke.Stats{Min: s, P50: s, P95: 9 * s, Max: 9 * s, N: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := smoke.StatsOf(tt.in); got != tt.want {
				t.Errorf("StatsOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// t0 is the creation time of the records of sample.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// rec returns a finished record: queued q, predicting p, received lag after.
func rec(i int, status string, q, p, lag time.Duration) smoke.Record {
	r := smoke.Record{Index: i, ID: "p" + strings.Repeat("x", i), Status: status, Via: watch.ViaWebhook,
		CreatedAt: t0, StartedAt: t0.Add(q), CompletedAt: t0.Add(q + p), ReceivedAt: t0.Add(q + p + lag),
		Queue: q, Predict: p, Total: q + p, Lag: lag}
	if status != "succeeded" {
		r.Error, r.LogTail = "boom", []string{"starting", "error: boom"}
	}
	return r
}

// sample is four records, out of order: two succeeded (one by poll), one
// failed, one whose create call failed.
func sample() []smoke.Record {
	ms := time.Millisecond
	byPoll := rec(2, "succeeded", 100*ms, 2*time.Second, 30*ms)
	byPoll.Via = watch.ViaPoll
	return []smoke.Record{
		rec(3, "failed", 200*ms, time.Second, 10*ms),
		{Index: 4, Status: smoke.StatusError, Error: "creating prediction: 422 invalid version"},
		byPoll,
		rec(1, "succeeded", 50*ms, 1500*ms, 20*ms),
	}
}

func TestSummarize(t *testing.T) {
	in := sample()
	s := smoke.Summarize(5, in)
	if got := []int{s.Records[0].Index, s.Records[1].Index, s.Records[2].Index, s.Records[3].Index}; !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("records in order %v, want by index", got)
	}
	if in[0].Index != 3 {
		t.Error("Summarize reordered its argument")
	}
	want := map[string]int{"succeeded": 2, "failed": 1, "error": 1}
	if len(s.Counts) != len(want) || s.Counts["succeeded"] != 2 || s.Counts["failed"] != 1 || s.Counts["error"] != 1 {
		t.Errorf("Counts %v, want %v", s.Counts, want)
	}
	if s.Count != 5 || s.ByPoll != 1 || s.Failures() != 2 {
		t.Errorf("Count %d, ByPoll %d, Failures %d; want 5, 1, 2", s.Count, s.ByPoll, s.Failures())
	}
	ms := time.Millisecond
	// The error record has no timings and is left out of every statistic.
	wantTotal := smoke.Stats{Min: 1200 * ms, P50: 1550 * ms, P95: 2100 * ms, Max: 2100 * ms, N: 3}
	if s.Total != wantTotal {
		t.Errorf("Total %+v, want %+v", s.Total, wantTotal)
	}
	if s.Queue.N != 3 || s.Predict.N != 3 || s.Lag.N != 3 || s.Lag.Max != 30*ms {
		t.Errorf("Queue %+v, Predict %+v, Lag %+v", s.Queue, s.Predict, s.Lag)
	}
}

func TestVerdict(t *testing.T) {
	s := smoke.Summarize(4, sample()) // 2 failures, p95 total 2.1s
	tests := []struct {
		maxFailures int
		maxP95      time.Duration
		want        smoke.Verdict
		reason      string
	}{
		{0, 0, smoke.TooManyFailures, "2 of 4 predictions did not succeed (at most 0 allowed)"},
		{1, time.Second, smoke.TooManyFailures, "2 of 4 predictions did not succeed (at most 1 allowed)"},
		{2, 0, smoke.Passed, "2 of 4 predictions succeeded"},
		{2, time.Second, smoke.TooSlow, "p95 of total time 2.1s exceeds 1s"},
		{2, 2100 * time.Millisecond, smoke.Passed, "2 of 4 predictions succeeded"},
	}
	for _, tt := range tests {
		code, reason := s.Verdict(tt.maxFailures, tt.maxP95)
		if code != tt.want || reason != tt.reason {
			t.Errorf("Verdict(%d, %v) = %d %q, want %d %q", tt.maxFailures, tt.maxP95, code, reason, tt.want, tt.reason)
		}
	}
	if code, _ := smoke.Summarize(0, nil).Verdict(0, time.Nanosecond); code != smoke.Passed {
		t.Errorf("empty summary: Verdict = %d, want passed", code)
	}
}

func TestTable(t *testing.T) {
	got := smoke.Summarize(4, sample()).Table()
	want := [][]string{
		{"", "n", "min", "p50", "p95", "max"},
		{"queue", "3", "50ms", "100ms", "200ms", "200ms"},
		{"predict", "3", "1s", "1.5s", "2s", "2s"},
		{"total", "3", "1.2s", "1.55s", "2.1s", "2.1s"},
		{"webhook lag", "3", "10ms", "20ms", "30ms", "30ms"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Table =\n%q\nwant\n%q", got, want)
	}
	empty := smoke.Summarize(0, nil).Table()
	if !slices.Equal(empty[1], []string{"queue", "0", "-", "-", "-", "-"}) {
		t.Errorf("empty row %q", empty[1])
	}
}

func TestSummaryJSON(t *testing.T) {
	s := smoke.Summarize(5, sample())
	s.Started, s.Wall = t0, 2500*time.Millisecond
	s.Thresholds = &smoke.Thresholds{MaxFailures: 2, MaxP95: 1500 * time.Millisecond}
	s.ExitCode = 6 // the caller's code for the verdict
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"count": 5.0, "done": 4.0, "failures": 2.0, "by_poll": 1.0, "wall_s": 2.5,
		"started_at": "2025-01-02T03:04:05Z",
		"counts":     map[string]any{"succeeded": 2.0, "failed": 1.0, "error": 1.0},
		"thresholds": map[string]any{"max_failures": 2.0, "max_p95_s": 1.5},
		"verdict":    map[string]any{"result": "slow", "code": 6.0, "reason": "p95 of total time 2.1s exceeds 1.5s"},
		"total":      map[string]any{"n": 3.0, "min_s": 1.2, "p50_s": 1.55, "p95_s": 2.1, "max_s": 2.1},
	}
	for k, v := range want {
		if g, _ := json.Marshal(got[k]); string(g) != mustJSON(t, v) {
			t.Errorf("%s = %s, want %s", k, g, mustJSON(t, v))
		}
	}
	records := got["records"].([]any)
	first := mustJSON(t, records[0])
	wantFirst := `{"completed_at":"2025-01-02T03:04:06.55Z","created_at":"2025-01-02T03:04:05Z","id":"px","index":1,` +
		`"lag_s":0.02,"predict_s":1.5,"queue_s":0.05,"received_at":"2025-01-02T03:04:06.57Z","started_at":"2025-01-02T03:04:05.05Z","status":"succeeded","total_s":1.55,"via":"webhook"}`
	if first != wantFirst {
		t.Errorf("record 1 =\n%s\nwant\n%s", first, wantFirst)
	}
	if errRec := mustJSON(t, records[3]); errRec != `{"error":"creating prediction: 422 invalid version","index":4,"status":"error"}` {
		t.Errorf("record 4 = %s", errRec)
	}
	if failed := records[2].(map[string]any); mustJSON(t, failed["log_tail"]) != `["starting","error: boom"]` {
		t.Errorf("record 3 log_tail = %v", failed["log_tail"])
	}

	empty, err := json.Marshal(smoke.Summarize(0, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{`"records":[]`, `"counts":{}`, `"total":{"n":0,"min_s":null,"p50_s":null,"p95_s":null,"max_s":null}`} {
		if !strings.Contains(string(empty), part) {
			t.Errorf("empty summary %s lacks %s", empty, part)
		}
	}
	if strings.Contains(string(empty), "verdict") || strings.Contains(string(empty), "started_at") {
		t.Errorf("empty summary %s has a verdict or a start time", empty)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSummaryJSONStopped(t *testing.T) {
	s := smoke.Summarize(5, sample())
	s.Thresholds = &smoke.Thresholds{}
	s.ExitCode, s.Stopped = 130, "interrupted; 4 of 5 predictions finished"
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"verdict":{"result":"stopped","code":130,"reason":"interrupted; 4 of 5 predictions finished"}`) {
		t.Errorf("JSON %s", raw)
	}
}

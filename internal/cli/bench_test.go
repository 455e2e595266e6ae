package cli

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// stampWriter records when the first byte reached stdout.
type stampWriter struct {
	mu    sync.Mutex
	buf   []byte
	first time.Time
}

func (w *stampWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.first.IsZero() {
		w.first = time.Now()
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// BenchmarkRunSimulate measures `notifier run --simulate --json sleep=0` in
// process: the whole command (simulator start, listener, create, webhook,
// shutdown) per op, and the lag from the prediction's completed_at to the
// result's first byte on stdout ("lag-ms/op"). Numbers: docs/performance.md.
func BenchmarkRunSimulate(b *testing.B) {
	var lag time.Duration
	for b.Loop() {
		ios, _, _ := testStreams()
		out := &stampWriter{}
		ios.Out = out
		f := &factory{IO: ios, Getenv: func(string) string { return "" }}
		if code := run(context.Background(), f, []string{"run", "--simulate", "--json", "sleep=0"}); code != 0 {
			b.Fatalf("exit %d: %s", code, ios.ErrOut)
		}
		var p struct {
			CompletedAt time.Time `json:"completed_at"`
		}
		if err := json.Unmarshal(out.buf, &p); err != nil {
			b.Fatal(err)
		}
		lag += out.first.Sub(p.CompletedAt)
	}
	b.ReportMetric(float64(lag.Microseconds())/1000/float64(b.N), "lag-ms/op")
}

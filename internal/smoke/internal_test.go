package smoke

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/watch"
)

func TestPacer(t *testing.T) {
	ctx := context.Background()
	if p := newPacer(0); p != nil {
		t.Fatalf("newPacer(0) = %+v, want nil (no limit)", p)
	}
	var none *pacer
	if err := none.wait(ctx); err != nil {
		t.Errorf("nil pacer: %v", err)
	}
	// In a synctest bubble the clock is exact: five slots at 200 a second
	// are 0, 5, 10, 15 and 20 ms after the first.
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(200)
		if p.interval != 5*time.Millisecond {
			t.Fatalf("interval %v", p.interval)
		}
		began := time.Now()
		for i := range 5 {
			if err := p.wait(ctx); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(began); d != time.Duration(i)*5*time.Millisecond {
				t.Errorf("slot %d at %v, want %v", i, d, time.Duration(i)*5*time.Millisecond)
			}
		}
	})
}

func TestPacerContext(t *testing.T) {
	p := newPacer(1.0 / 3600) // a slot an hour
	ctx, cancel := context.WithCancel(context.Background())
	if err := p.wait(ctx); err != nil { // the first slot is now
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.wait(ctx) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("wait = %v, want context.Canceled", err)
	}
	var none *pacer
	if err := none.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("nil pacer on an ended context: %v", err)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		base     time.Duration
		attempt  int
		min, max time.Duration
	}{
		{time.Second, 0, 500 * time.Millisecond, time.Second},
		{time.Second, 1, time.Second, 2 * time.Second},
		{time.Second, 3, 4 * time.Second, 8 * time.Second},
		{time.Second, 5, MaxThrottleBackoff / 2, MaxThrottleBackoff},
		{time.Second, 100, MaxThrottleBackoff / 2, MaxThrottleBackoff},
		{time.Millisecond, 2, 2 * time.Millisecond, 4 * time.Millisecond},
	}
	for _, tt := range tests {
		for range 20 {
			if d := backoff(tt.base, tt.attempt); d < tt.min || d > tt.max {
				t.Errorf("backoff(%v, %d) = %v, want in [%v, %v]", tt.base, tt.attempt, d, tt.min, tt.max)
			}
		}
	}
}

func TestTail(t *testing.T) {
	tests := []struct {
		logs string
		n    int
		want []string
	}{
		{"", 3, nil},
		{"\n", 3, nil},
		{"a\nb\n", 3, []string{"a", "b"}},
		{"a\r\nb\r\nc\r\nd", 3, []string{"b", "c", "d"}},
		{"a\n\nb\n", 2, []string{"", "b"}},
	}
	for _, tt := range tests {
		if got := tail(tt.logs, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("tail(%q, %d) = %q, want %q", tt.logs, tt.n, got, tt.want)
		}
	}
}

func TestNewRecord(t *testing.T) {
	str := func(s string) *string { return &s }
	predict := 1.25
	logs := "boot\nrun\nerror: boom\n"
	at := time.Date(2025, 1, 2, 3, 4, 10, 0, time.UTC)
	p := &replicate.Prediction{ID: "abc", Status: replicate.Failed, Error: "boom", Logs: &logs,
		CreatedAt: "2025-01-02T03:04:05.5Z", StartedAt: str("2025-01-02T03:04:07Z"), CompletedAt: str("2025-01-02T03:04:09Z"),
		Metrics: &replicate.PredictionMetrics{PredictTime: &predict}}
	r := newRecord(7, &watch.Result{Prediction: p, ReceivedAt: at, Via: watch.ViaPoll})
	want := Record{Index: 7, ID: "abc", Status: "failed", Error: "boom", LogTail: []string{"boot", "run", "error: boom"},
		CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 5e8, time.UTC), StartedAt: time.Date(2025, 1, 2, 3, 4, 7, 0, time.UTC),
		CompletedAt: time.Date(2025, 1, 2, 3, 4, 9, 0, time.UTC), ReceivedAt: at,
		Queue: 1500 * time.Millisecond, Predict: 1250 * time.Millisecond, Total: 3500 * time.Millisecond, Lag: time.Second,
		Via: watch.ViaPoll}
	if !reflect.DeepEqual(r, want) { // times parsed from "Z" are in time.UTC, as want's
		t.Errorf("record\n%+v\nwant\n%+v", r, want)
	}

	// Unknown times give zero durations; a success keeps no logs; the
	// error field is rendered whatever its type.
	p = &replicate.Prediction{ID: "def", Status: replicate.Succeeded, Logs: &logs, CreatedAt: "garbage",
		CompletedAt: str("2025-01-02T03:04:09Z"), Error: map[string]any{"x": 1}}
	r = newRecord(1, &watch.Result{Prediction: p, ReceivedAt: at, Via: watch.ViaWebhook})
	if r.LogTail != nil || r.Queue != 0 || r.Predict != 0 || r.Total != 0 || r.Lag != time.Second || r.Error != `{"x":1}` {
		t.Errorf("record %+v", r)
	}
}

func TestStoppedRecord(t *testing.T) {
	created := &replicate.Prediction{ID: "abc", Status: replicate.Starting, CreatedAt: "2025-01-02T03:04:05Z"}
	canceled := &replicate.Prediction{ID: "abc", Status: replicate.Canceled, CreatedAt: "2025-01-02T03:04:05Z",
		CompletedAt: func() *string { s := "2025-01-02T03:04:06Z"; return &s }()}
	se := &watch.StoppedError{PredictionID: "abc", Cause: context.Canceled, Canceled: true}
	r := stoppedRecord(2, created, canceled, se)
	if r.Status != "canceled" || r.ID != "abc" || r.Total != time.Second || r.Error != se.Error() || !r.ReceivedAt.IsZero() {
		t.Errorf("canceled record %+v", r)
	}
	se = &watch.StoppedError{PredictionID: "abc", Cause: context.Canceled}
	r = stoppedRecord(2, created, nil, se)
	if r.Status != StatusStopped || r.CreatedAt.IsZero() || r.Total != 0 {
		t.Errorf("stopped record %+v", r)
	}
}

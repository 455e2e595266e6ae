package alert

import (
	"sync"
	"testing"
	"time"
)

// step is one observation at a fixed offset from t0, with what it must cause.
type step struct {
	status string
	at     time.Duration // since t0
	want   Transition
	counts Counts
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func TestTracker(t *testing.T) {
	tests := []struct {
		name     string
		rate     float64
		window   time.Duration
		minCount int
		steps    []step
	}{
		{
			name: "fires once at the threshold, no storm, recovers once",
			rate: 0.5, window: 10 * time.Minute, minCount: 4,
			steps: []step{
				{"succeeded", 0, None, Counts{0, 1}},
				{"failed", time.Minute, None, Counts{1, 2}},
				{"succeeded", 2 * time.Minute, None, Counts{1, 3}},
				{"canceled", 3 * time.Minute, Fired, Counts{2, 4}}, // 2/4 = 0.5 ≥ 0.5
				{"aborted", 4 * time.Minute, None, Counts{3, 5}},   // still alerting: no second email
				{"failed", 5 * time.Minute, None, Counts{4, 6}},
				{"succeeded", 6 * time.Minute, None, Counts{4, 7}},
				{"succeeded", 7 * time.Minute, None, Counts{4, 8}}, // 4/8 = 0.5, not below
				{"succeeded", 8 * time.Minute, Recovered, Counts{4, 9}},
				{"succeeded", 9 * time.Minute, None, Counts{4, 10}},
			},
		},
		{
			name: "below minCount never fires",
			rate: 0.2, window: time.Hour, minCount: 5,
			steps: []step{
				{"failed", 0, None, Counts{1, 1}},
				{"failed", time.Second, None, Counts{2, 2}},
				{"failed", 2 * time.Second, None, Counts{3, 3}},
				{"failed", 3 * time.Second, None, Counts{4, 4}},
				{"failed", 4 * time.Second, Fired, Counts{5, 5}},
			},
		},
		{
			name: "old predictions leave the window",
			rate: 0.5, window: 10 * time.Minute, minCount: 2,
			steps: []step{
				{"failed", 0, None, Counts{1, 1}},
				{"failed", time.Minute, Fired, Counts{2, 2}},
				// At 10m30s the window (30s, 10m30s] has lost the first failure
				// but keeps the one at 1m: 1 of 2 is not below 0.5.
				{"succeeded", 10*time.Minute + 30*time.Second, None, Counts{1, 2}},
				// The window is open at its start: at 11m the failure at 1m is out.
				{"succeeded", 11 * time.Minute, Recovered, Counts{0, 2}},
			},
		},
		{
			name: "non-terminal statuses change nothing",
			rate: 0.5, window: time.Minute, minCount: 1,
			steps: []step{
				{"starting", 0, None, Counts{}},
				{"processing", time.Second, None, Counts{}},
				{"failed", 2 * time.Second, Fired, Counts{1, 1}},
				{"processing", 3 * time.Second, None, Counts{1, 1}},
			},
		},
		{
			name: "fires again after recovering",
			rate: 0.5, window: time.Hour, minCount: 1,
			steps: []step{
				{"failed", 0, Fired, Counts{1, 1}},
				{"succeeded", time.Second, None, Counts{1, 2}},
				{"succeeded", 2 * time.Second, Recovered, Counts{1, 3}},
				{"failed", 3 * time.Second, Fired, Counts{2, 4}},
				{"failed", 4 * time.Second, None, Counts{3, 5}},
			},
		},
		{
			name: "rate zero does not fire on successes",
			rate: 0, window: time.Hour, minCount: 1,
			steps: []step{
				{"succeeded", 0, None, Counts{0, 1}},
				{"failed", time.Second, Fired, Counts{1, 2}},
			},
		},
		{
			name: "out-of-order observation counts in its own window",
			rate: 0.5, window: 10 * time.Minute, minCount: 2,
			steps: []step{
				{"succeeded", 20 * time.Minute, None, Counts{0, 1}},
				// A late report of a failure at 15m is evaluated at 15m: the later success is not counted.
				{"failed", 15 * time.Minute, None, Counts{1, 1}},
				{"failed", 21 * time.Minute, Fired, Counts{2, 3}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := New(tt.rate, tt.window, tt.minCount)
			for i, s := range tt.steps {
				got := tr.Observe(s.status, t0.Add(s.at))
				if got != s.want {
					t.Errorf("step %d (%s at %v): got %v, want %v", i, s.status, s.at, got, s.want)
				}
				if c := tr.Counts(); c != s.counts {
					t.Errorf("step %d (%s at %v): counts %+v, want %+v", i, s.status, s.at, c, s.counts)
				}
			}
		})
	}
}

func TestCheckRecoversWhenFailuresAgeOut(t *testing.T) {
	tr := New(0.5, 10*time.Minute, 1)
	if got := tr.Observe("failed", t0); got != Fired {
		t.Fatalf("Observe = %v, want fired", got)
	}
	if got := tr.Check(t0.Add(5 * time.Minute)); got != None {
		t.Errorf("Check within the window = %v, want none", got)
	}
	if !tr.Alerting() {
		t.Error("not alerting within the window")
	}
	if got := tr.Check(t0.Add(10 * time.Minute)); got != Recovered {
		t.Errorf("Check after the window = %v, want recovered", got)
	}
	if c := tr.Counts(); c != (Counts{}) {
		t.Errorf("counts after the window = %+v, want zero", c)
	}
	if tr.Alerting() {
		t.Error("still alerting after recovering")
	}
}

func TestCountsRate(t *testing.T) {
	for _, tt := range []struct {
		c    Counts
		want float64
	}{{Counts{}, 0}, {Counts{1, 4}, 0.25}, {Counts{3, 3}, 1}} {
		if got := tt.c.Rate(); got != tt.want {
			t.Errorf("%+v.Rate() = %v, want %v", tt.c, got, tt.want)
		}
	}
}

func TestTransitionString(t *testing.T) {
	for tr, want := range map[Transition]string{None: "none", Fired: "fired", Recovered: "recovered"} {
		if got := tr.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(tr), got, want)
		}
	}
}

// TestConcurrentObserve fires exactly once however the observations interleave.
func TestConcurrentObserve(t *testing.T) {
	tr := New(0.5, time.Hour, 10)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fired int
	)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tr.Observe("failed", t0.Add(time.Duration(i)*time.Millisecond)) == Fired {
				mu.Lock()
				fired++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if fired != 1 {
		t.Errorf("fired %d times, want 1", fired)
	}
	if c := tr.Counts(); c.Total == 0 {
		t.Errorf("counts %+v after 100 failures", c)
	}
}

package watch

import (
	"fmt"
	"testing"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/prediction"
)

// snap returns a prediction snapshot with the given id and status.
func snap(id string, s replicate.Status) *replicate.Prediction {
	return &replicate.Prediction{ID: id, Status: s}
}

func TestUpdateNewer(t *testing.T) {
	tests := []struct {
		name     string
		old, new replicate.Status // old "" means no previous snapshot
		want     bool
	}{
		{"first snapshot", "", replicate.Starting, true},
		{"progress", replicate.Starting, replicate.Processing, true},
		{"to terminal", replicate.Processing, replicate.Succeeded, true},
		{"terminal kept over non-terminal", replicate.Succeeded, replicate.Processing, false},
		{"aborted kept over non-terminal", prediction.Aborted, replicate.Starting, false},
		{"terminal kept over a later terminal", replicate.Failed, replicate.Succeeded, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var old *update
			if tt.old != "" {
				old = &update{prediction: snap("p", tt.old)}
			}
			u := &update{prediction: snap("p", tt.new)}
			if got := u.newer(old); got != tt.want {
				t.Errorf("newer = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestHubRouting delivers sequences of snapshots before and after register
// and checks what the watch sees.
func TestHubRouting(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		before []replicate.Status // delivered before register
		after  []replicate.Status // delivered after register
		want   replicate.Status   // status of the snapshot taken at the end; "" = none
		wantAt time.Time
	}{
		{"none", nil, nil, "", time.Time{}},
		{"early terminal is matched", []replicate.Status{replicate.Succeeded}, nil, replicate.Succeeded, t0},
		{"early non-terminal is matched", []replicate.Status{replicate.Processing}, nil, replicate.Processing, t0},
		{"early: later snapshot wins", []replicate.Status{replicate.Starting, replicate.Processing}, nil, replicate.Processing, t0.Add(time.Second)},
		{"early: terminal not replaced", []replicate.Status{replicate.Succeeded, replicate.Processing}, nil, replicate.Succeeded, t0},
		{"early: aborted not replaced", []replicate.Status{prediction.Aborted, replicate.Starting}, nil, prediction.Aborted, t0},
		{"routed after register", nil, []replicate.Status{replicate.Failed}, replicate.Failed, t0},
		{"registered: terminal not replaced", nil, []replicate.Status{replicate.Canceled, replicate.Processing}, replicate.Canceled, t0},
		{"early terminal not replaced after register", []replicate.Status{replicate.Succeeded}, []replicate.Status{replicate.Processing}, replicate.Succeeded, t0},
		{"early non-terminal then terminal after register", []replicate.Status{replicate.Processing}, []replicate.Status{replicate.Succeeded}, replicate.Succeeded, t0.Add(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHub()
			at := t0
			for _, s := range tt.before {
				h.Deliver(snap("p1", s), at)
				at = at.Add(time.Second)
			}
			s := h.register("p1")
			defer h.unregister("p1")
			for _, st := range tt.after {
				h.Deliver(snap("p1", st), at)
				at = at.Add(time.Second)
			}
			u := s.take()
			if tt.want == "" {
				if u != nil {
					t.Fatalf("take = %v, want nil", u.prediction.Status)
				}
				return
			}
			if u == nil {
				t.Fatalf("take = nil, want %s", tt.want)
			}
			if u.prediction.Status != tt.want || !u.receivedAt.Equal(tt.wantAt) {
				t.Errorf("take = %s at %v, want %s at %v", u.prediction.Status, u.receivedAt, tt.want, tt.wantAt)
			}
			if again := s.take(); again != nil {
				t.Errorf("second take = %s, want nil (already taken)", again.prediction.Status)
			}
			if len(h.early) != 0 || len(h.order) != 0 {
				t.Errorf("early buffer not emptied by register: %d entries, order %v", len(h.early), h.order)
			}
		})
	}
}

func TestHubDeliverNotifies(t *testing.T) {
	h := NewHub()
	s := h.register("p1")
	defer h.unregister("p1")
	h.Deliver(snap("p1", replicate.Processing), time.Now())
	select {
	case <-s.notify:
	default:
		t.Fatal("no notification after a delivery")
	}
	// A second delivery while the first notification is pending must not block.
	h.Deliver(snap("p1", replicate.Succeeded), time.Now())
	h.Deliver(snap("p1", replicate.Succeeded), time.Now())
	if u := s.take(); u == nil || u.prediction.Status != replicate.Succeeded {
		t.Fatalf("take = %v, want succeeded", u)
	}
}

func TestHubDeliverOtherAndInvalid(t *testing.T) {
	h := NewHub()
	s := h.register("p1")
	h.Deliver(nil, time.Now())
	h.Deliver(snap("", replicate.Succeeded), time.Now())
	h.Deliver(snap("p2", replicate.Succeeded), time.Now())
	if u := s.take(); u != nil {
		t.Errorf("p1 got a delivery for %q", u.prediction.ID)
	}
	if len(h.early) != 1 || h.early["p2"] == nil {
		t.Errorf("early = %v, want only p2", h.early)
	}
	h.unregister("p1")
	h.Deliver(snap("p1", replicate.Failed), time.Now())
	if h.early["p1"] == nil {
		t.Error("a delivery after unregister is not kept as early")
	}
}

func TestHubEarlyBounded(t *testing.T) {
	h := NewHub()
	at := time.Now()
	for i := range maxEarly + 10 {
		h.Deliver(snap(fmt.Sprintf("p%d", i), replicate.Succeeded), at)
	}
	if len(h.early) != maxEarly || len(h.order) != maxEarly {
		t.Fatalf("early has %d entries, order %d; want %d", len(h.early), len(h.order), maxEarly)
	}
	for i := range 10 {
		if _, ok := h.early[fmt.Sprintf("p%d", i)]; ok {
			t.Errorf("oldest p%d not evicted", i)
		}
	}
	last := fmt.Sprintf("p%d", maxEarly+9)
	if _, ok := h.early[last]; !ok {
		t.Errorf("newest %s evicted", last)
	}
	// A repeated delivery for a kept id does not grow the buffer.
	h.Deliver(snap(last, replicate.Processing), at)
	if len(h.early) != maxEarly || len(h.order) != maxEarly {
		t.Errorf("after a repeat: early %d, order %d; want %d", len(h.early), len(h.order), maxEarly)
	}
	// register takes an id out of both the map and the order.
	s := h.register("p500")
	if u := s.take(); u == nil {
		t.Error("p500 not matched")
	}
	if len(h.early) != maxEarly-1 || len(h.order) != maxEarly-1 {
		t.Errorf("after register: early %d, order %d; want %d", len(h.early), len(h.order), maxEarly-1)
	}
	for _, id := range h.order {
		if id == "p500" {
			t.Error("p500 still in order")
		}
	}
}

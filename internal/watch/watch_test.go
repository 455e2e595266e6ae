package watch_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/watch"
)

// testTimeout bounds every watch, so a bug fails the test instead of hanging it.
const testTimeout = 20 * time.Second

// recorder collects the events of a watch.
type recorder struct {
	mu     sync.Mutex
	events []watch.Event
}

func (r *recorder) record(e watch.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) kinds() []watch.EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ks []watch.EventKind
	for _, e := range r.events {
		ks = append(ks, e.Kind)
	}
	return ks
}

func (r *recorder) has(k watch.EventKind) bool {
	for _, got := range r.kinds() {
		if got == k {
			return true
		}
	}
	return false
}

func TestWatchCompletes(t *testing.T) {
	tests := []struct {
		name    string
		faults  simulator.Faults
		input   map[string]any
		poll    time.Duration
		want    replicate.Status
		wantVia watch.Via
	}{
		{
			name:    "succeeded via webhook",
			input:   map[string]any{"sleep": 0.2},
			want:    replicate.Succeeded,
			wantVia: watch.ViaWebhook,
		},
		{
			name:    "failed via webhook",
			input:   map[string]any{"sleep": 0.2, "outcome": "error"},
			want:    replicate.Failed,
			wantVia: watch.ViaWebhook,
		},
		{
			name:    "webhooks dropped: found by polling",
			faults:  simulator.Faults{DropWebhooks: true},
			input:   map[string]any{"sleep": 0.2},
			poll:    50 * time.Millisecond,
			want:    replicate.Succeeded,
			wantVia: watch.ViaPoll,
		},
		{
			name:    "bad signatures: found by polling",
			faults:  simulator.Faults{BadSignature: true},
			input:   map[string]any{"sleep": 0.2},
			poll:    50 * time.Millisecond,
			want:    replicate.Succeeded,
			wantVia: watch.ViaPoll,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.faults)
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			var rec recorder
			res, err := e.hub.Watch(ctx, e.client, e.request(tt.input), watch.Options{PollInterval: tt.poll, OnEvent: rec.record})
			if err != nil {
				t.Fatalf("Watch: %v", err)
			}
			if res.Prediction.Status != tt.want || res.Via != tt.wantVia {
				t.Errorf("result %s via %s, want %s via %s", res.Prediction.Status, res.Via, tt.want, tt.wantVia)
			}
			if res.ReceivedAt.IsZero() {
				t.Error("ReceivedAt is zero")
			}
			if res.Prediction.ID == "" {
				t.Error("result has no prediction id")
			}
			if ks := rec.kinds(); len(ks) == 0 || ks[0] != watch.EventCreated {
				t.Errorf("events = %v, want created first", ks)
			}
			if n := e.sim.CancelCount(res.Prediction.ID); n != 0 {
				t.Errorf("CancelCount = %d, want 0 for a finished prediction", n)
			}
		})
	}
}

// TestWatchEarlyDelivery checks that a terminal delivery that reached the
// hub before the create call returned is matched. Seeded simulators assign
// the same prediction ids, so the id is learned from a first simulator.
func TestWatchEarlyDelivery(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	first := newEnv(t, simulator.Faults{})
	p, err := first.client.CreatePrediction(ctx, simulator.ChaosMonkeyVersion, replicate.PredictionInput{"sleep": 0}, nil, false)
	if err != nil {
		t.Fatal(err)
	}

	e := newEnv(t, simulator.Faults{})
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	early := &replicate.Prediction{ID: p.ID, Status: replicate.Succeeded, Output: "early"}
	e.hub.Deliver(early, at)
	req := e.request(map[string]any{"sleep": 30})
	res, err := e.hub.Watch(ctx, e.client, req, watch.Options{})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	if res.Prediction.ID != p.ID {
		t.Fatalf("prediction id %s, want %s (ids not deterministic?)", res.Prediction.ID, p.ID)
	}
	if res.Prediction != early || res.Via != watch.ViaWebhook || !res.ReceivedAt.Equal(at) {
		t.Errorf("result %+v via %s at %v, want the early delivery via webhook at %v", res.Prediction, res.Via, res.ReceivedAt, at)
	}
}

func TestWatchStopped(t *testing.T) {
	tests := []struct {
		name         string
		noCancel     bool
		wantCanceled bool
		wantCount    int
		wantEvent    watch.EventKind // "" = none beyond created
		wantMsg      string
	}{
		{"canceled on the way out", false, true, 1, watch.EventCanceled, "canceled"},
		{"no cancel leaves it running", true, false, 0, "", "left running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Faults{})
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			stopCtx, stop := context.WithCancel(ctx)
			defer stop()
			var rec recorder
			var id string
			opts := watch.Options{
				NoCancel: tt.noCancel,
				OnEvent: func(ev watch.Event) {
					rec.record(ev)
					if ev.Kind == watch.EventCreated {
						id = ev.Prediction.ID
						stop()
					}
				},
			}
			res, err := e.hub.Watch(stopCtx, e.client, e.request(map[string]any{"sleep": 5}), opts)
			if res != nil {
				t.Errorf("result = %+v, want nil", res)
			}
			var se *watch.StoppedError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want *StoppedError", err, err)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, does not wrap context.Canceled", err)
			}
			if se.PredictionID != id || id == "" {
				t.Errorf("PredictionID = %q, want %q", se.PredictionID, id)
			}
			if se.Canceled != tt.wantCanceled || se.CancelErr != nil {
				t.Errorf("Canceled = %v, CancelErr = %v; want %v, nil", se.Canceled, se.CancelErr, tt.wantCanceled)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q lacks %q", err.Error(), tt.wantMsg)
			}
			if n := e.sim.CancelCount(id); n != tt.wantCount {
				t.Errorf("CancelCount = %d, want %d", n, tt.wantCount)
			}
			if tt.wantEvent != "" && !rec.has(tt.wantEvent) {
				t.Errorf("events %v lack %s", rec.kinds(), tt.wantEvent)
			}
			if rec.has(watch.EventCancelFailed) {
				t.Errorf("events %v include cancel_failed", rec.kinds())
			}
		})
	}
}

// TestWatchCancelFails stops the simulator after the create call, so the
// cancel made on the way out cannot reach it.
func TestWatchCancelFails(t *testing.T) {
	e := newEnv(t, simulator.Faults{})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	var rec recorder
	opts := watch.Options{
		CancelTimeout: 5 * time.Second,
		OnEvent: func(ev watch.Event) {
			rec.record(ev)
			if ev.Kind == watch.EventCreated {
				if err := e.sim.Close(); err != nil {
					t.Errorf("closing simulator: %v", err)
				}
				stop()
			}
		},
	}
	_, err := e.hub.Watch(stopCtx, e.client, e.request(map[string]any{"sleep": 5}), opts)
	var se *watch.StoppedError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want *StoppedError", err, err)
	}
	if se.Canceled || se.CancelErr == nil {
		t.Errorf("Canceled = %v, CancelErr = %v; want false and an error", se.Canceled, se.CancelErr)
	}
	if !strings.Contains(err.Error(), "could not be canceled") {
		t.Errorf("message %q does not say canceling failed", err.Error())
	}
	if !rec.has(watch.EventCancelFailed) {
		t.Errorf("events %v lack cancel_failed", rec.kinds())
	}
}

func TestWatchCreateErrors(t *testing.T) {
	tests := []struct {
		name       string
		req        watch.Request
		wantStatus int // APIError status; 0 = not an API error
		wantMsg    string
	}{
		{
			name:       "unknown version",
			req:        watch.Request{Version: strings.Repeat("0", 64)},
			wantStatus: 422,
		},
		{
			name:       "unknown chaos-monkey version by name",
			req:        watch.Request{Owner: "zeke", Name: "chaos-monkey", Version: strings.Repeat("a", 64)},
			wantStatus: 422,
		},
		{
			name:    "neither model nor version",
			req:     watch.Request{},
			wantMsg: "a model or version is required",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Faults{})
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			res, err := e.hub.Watch(ctx, e.client, tt.req, watch.Options{})
			if err == nil {
				t.Fatalf("Watch = %+v, want an error", res)
			}
			if res != nil {
				t.Errorf("result = %+v, want nil with an error", res)
			}
			var se *watch.StoppedError
			if errors.As(err, &se) {
				t.Errorf("err = %v is a StoppedError", err)
			}
			if tt.wantStatus != 0 {
				var ae *replicate.APIError
				if !errors.As(err, &ae) || ae.Status != tt.wantStatus {
					t.Errorf("err = %v (%T), want an APIError with status %d", err, err, tt.wantStatus)
				}
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestWatchOwnerName(t *testing.T) {
	e := newEnv(t, simulator.Faults{})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	req := e.request(map[string]any{"prompt": "hi", "sleep": 0.2})
	req.Version = ""
	req.Owner, req.Name = "acme", "echo"
	res, err := e.hub.Watch(ctx, e.client, req, watch.Options{})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	if res.Prediction.Status != replicate.Succeeded || res.Via != watch.ViaWebhook {
		t.Errorf("result %s via %s, want succeeded via webhook", res.Prediction.Status, res.Via)
	}
	out, ok := res.Prediction.Output.(map[string]any)
	if !ok || out["prompt"] != "hi" {
		t.Errorf("output = %#v, want the input echoed", res.Prediction.Output)
	}
}

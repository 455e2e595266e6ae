package smoke_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/smoke"
	"github.com/notifier-dev/notifier/internal/watch"
)

// TestRunStopped ends the run's context once 30 predictions were created:
// the ones running are canceled (or left running with NoCancel), no more are
// created, and Run returns the partial summary with the context's cause.
func TestRunStopped(t *testing.T) {
	tests := []struct {
		name      string
		noCancel  bool
		want      string // status of the stopped predictions
		wantCount int    // cancel calls each received
	}{
		{"canceled", false, "canceled", 1},
		{"no cancel", true, smoke.StatusStopped, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, simulator.Faults{})
			errStop := errors.New("stop")
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			var created int
			var mu sync.Mutex
			cfg := smoke.Config{Count: 100, Concurrency: 10, Request: e.request(map[string]any{"sleep": 0.2}),
				Options: watch.Options{NoCancel: tt.noCancel, OnEvent: func(ev watch.Event) {
					mu.Lock()
					defer mu.Unlock()
					if ev.Kind == watch.EventCreated {
						if created++; created == 30 {
							cancel(errStop)
						}
					}
				}}}
			s, err := smoke.Run(ctx, e.hub, e.client, cfg)
			if !errors.Is(err, errStop) {
				t.Fatalf("Run error = %v, want the context's cause", err)
			}
			if s == nil || s.Count != 100 || len(s.Records) < 20 || len(s.Records) >= 100 {
				t.Fatalf("summary %+v, want a partial one", s)
			}
			if n := int(e.creates.Load()); n != len(s.Records) {
				t.Errorf("%d predictions created, %d records: some are unaccounted for", n, len(s.Records))
			}
			var stopped int
			for _, r := range s.Records {
				switch r.Status {
				case "succeeded":
					if n := e.sim.CancelCount(r.ID); n != 0 {
						t.Errorf("succeeded %s: %d cancel calls", r.ID, n)
					}
				case tt.want:
					stopped++
					if n := e.sim.CancelCount(r.ID); n != tt.wantCount {
						t.Errorf("%s %s: %d cancel calls, want %d", r.Status, r.ID, n, tt.wantCount)
					}
					if !strings.Contains(r.Error, "stop") || r.CreatedAt.IsZero() {
						t.Errorf("stopped record %+v", r)
					}
				default:
					t.Errorf("record %+v: status %s", r, r.Status)
				}
			}
			if stopped == 0 {
				t.Error("no prediction was stopped")
			}
			var buf bytes.Buffer
			if err := smoke.WriteJUnit(&buf, s, "smoke"); err != nil {
				t.Fatal(err)
			}
			var doc junitDoc
			if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Tests != 100 || doc.Skipped != 100-len(s.Records) {
				t.Errorf("report tests=%d skipped=%d; want 100, %d", doc.Tests, doc.Skipped, 100-len(s.Records))
			}
		})
	}
}

// TestRunStoppedWhileCreating ends the context just as the create call
// goes out: the call is let through, and the prediction it makes is canceled
// rather than left running unseen.
func TestRunStoppedWhileCreating(t *testing.T) {
	e := newEnv(t, simulator.Faults{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hook := func(req *http.Request) {
		if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/predictions") {
			cancel()
		}
	}
	e.onRequest.Store(&hook)
	s, err := smoke.Run(ctx, e.hub, e.client, smoke.Config{Count: 5, Request: e.request(map[string]any{"sleep": 5})})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
	if len(s.Records) != 1 {
		t.Fatalf("%d records, want 1", len(s.Records))
	}
	r := s.Records[0]
	if r.Status != "canceled" || r.ID == "" || e.sim.CancelCount(r.ID) != 1 {
		t.Errorf("record %+v, %d cancel calls; want it canceled once", r, e.sim.CancelCount(r.ID))
	}
}

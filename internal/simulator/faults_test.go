package simulator

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/webhook"
)

// completedOnly is a chaos-monkey run that sends just the completed webhook.
func completedOnly(url string) map[string]any {
	return map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{},
		"webhook": url, "webhook_events_filter": []string{"completed"}}
}

func TestFaultDropWebhooks(t *testing.T) {
	var log eventLog
	s, base := startSim(t, Config{Faults: Faults{DropWebhooks: true}, OnEvent: log.add})
	rcv := newReceiver(t, nil)
	p := create(t, base, completedOnly(rcv.URL), nil)
	waitTerminal(t, s, p["id"].(string))
	s.Close()
	rcv.none(t)
	var dropped int
	for _, e := range log.all() {
		if e.Kind == "webhook_dropped" && e.Event == "completed" && e.PredictionID == p["id"] {
			dropped++
		}
	}
	if dropped != 1 {
		t.Errorf("%d webhook_dropped events", dropped)
	}
}

func TestFaultDuplicateWebhooks(t *testing.T) {
	s, base := startSim(t, Config{Now: fakeClock(), Faults: Faults{DuplicateWebhooks: true}})
	rcv := newReceiver(t, nil)
	create(t, base, completedOnly(rcv.URL), nil)
	a, b := rcv.next(t), rcv.next(t)
	s.Close()
	rcv.none(t)
	if a.Header.Get("webhook-id") != b.Header.Get("webhook-id") || string(a.Body) != string(b.Body) {
		t.Error("duplicate is not the same message")
	}
	if a.Header.Get("webhook-timestamp") == b.Header.Get("webhook-timestamp") {
		t.Error("duplicate has the same timestamp")
	}
}

func TestFaultWebhookDelay(t *testing.T) {
	const delay = 50 * time.Millisecond
	_, base := startSim(t, Config{Faults: Faults{WebhookDelay: delay}})
	rcv := newReceiver(t, nil)
	began := time.Now()
	create(t, base, completedOnly(rcv.URL), nil)
	if d := rcv.next(t); d.At.Sub(began) < delay {
		t.Errorf("delivered after %v, want at least %v", d.At.Sub(began), delay)
	}
}

func TestFaultBadSignature(t *testing.T) {
	_, base := startSim(t, Config{Faults: Faults{BadSignature: true}})
	rcv := newReceiver(t, nil)
	create(t, base, completedOnly(rcv.URL), nil)
	d := rcv.next(t)
	if err := verifier(t).Verify(d.Header, d.Body, time.Now()); !errors.Is(err, webhook.ErrBadSignature) {
		t.Errorf("Verify = %v, want ErrBadSignature", err)
	}
}

func TestFaultWebhookBeforeCreate(t *testing.T) {
	_, base := startSim(t, Config{Faults: Faults{WebhookBeforeCreate: true}})
	rcv := newReceiver(t, nil)
	body := completedOnly(rcv.URL)
	body["webhook_events_filter"] = []string{"start"}
	body["input"] = map[string]any{"sleep": 30}
	p := create(t, base, body, nil)
	select {
	case d := <-rcv.ch:
		if object(t, d.Body)["id"] != p["id"] {
			t.Error("webhook for another prediction")
		}
	default:
		t.Fatal("create answered before the first webhook was delivered")
	}
	call(t, "POST", base+"/predictions/"+p["id"].(string)+"/cancel", nil, nil)
}

func TestFaultAPIErrors(t *testing.T) {
	_, base := startSim(t, Config{Faults: Faults{ThrottleRate: 1}})
	code, h, out := call(t, "GET", base+"/predictions", nil, nil)
	want := map[string]any{"detail": "Request was throttled. Expected available in 1 second.", "status": 429}
	if code != 429 || h.Get("Retry-After") != "1" || !equalJSON(object(t, out), want) {
		t.Errorf("throttle: %d %v %s", code, h, out)
	}
	_, base = startSim(t, Config{Faults: Faults{ServerErrorRate: 1}})
	if code, _, _ := call(t, "POST", base+"/predictions", chaos, nil); code != 500 {
		t.Errorf("server error: %d", code)
	}
	_, base = startSim(t, Config{Seed: 3, Faults: Faults{ThrottleRate: 0.3, ServerErrorRate: 0.3}})
	seen := map[int]int{}
	for range 40 {
		code, _, _ := call(t, "GET", base+"/webhooks/default/secret", nil, nil)
		seen[code]++
	}
	if seen[200] == 0 || seen[429] == 0 || seen[500] == 0 || len(seen) != 3 {
		t.Errorf("status counts %v", seen)
	}
}

func TestFaultStartDelayAborts(t *testing.T) {
	t.Parallel()
	s, base := startSim(t, Config{Faults: Faults{StartDelay: time.Minute}})
	p := create(t, base, chaos, map[string]string{"Cancel-After": "5s"})
	final := waitTerminal(t, s, p["id"].(string))
	if final["status"] != "aborted" || final["started_at"] != nil || final["deadline"] == nil {
		t.Errorf("final %v", final)
	}
}

func TestDeadlineCancelsProcessing(t *testing.T) {
	t.Parallel()
	s, base := startSim(t, Config{})
	p := create(t, base, map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 60}},
		map[string]string{"Cancel-After": "5s"})
	if final := waitTerminal(t, s, p["id"].(string)); final["status"] != "canceled" {
		t.Errorf("status %v", final["status"])
	}
}

func TestFaultAbort(t *testing.T) {
	t.Parallel()
	s, base := startSim(t, Config{Faults: Faults{Abort: true}})
	p := create(t, base, chaos, nil)
	final := waitTerminal(t, s, p["id"].(string))
	if final["status"] != "aborted" || final["started_at"] != nil || final["completed_at"] == nil {
		t.Errorf("final %v", final)
	}
}

// TestFaultFailRate checks that FailRate fails a share of predictions that
// the model would have succeeded, and that a seeded simulator picks the
// same ones on every run.
func TestFaultFailRate(t *testing.T) {
	const n = 40
	failedIDs := func(seed int64, rate float64) map[string]bool {
		s, base := startSim(t, Config{Seed: seed, Faults: Faults{FailRate: rate}})
		failed := map[string]bool{}
		for range n {
			p := create(t, base, chaos, nil)
			id := p["id"].(string)
			final := waitTerminal(t, s, id)
			switch final["status"] {
			case "failed":
				if final["error"] != errInjected || final["output"] != nil {
					t.Errorf("failed prediction: error %v, output %v", final["error"], final["output"])
				}
				if !strings.Contains(final["logs"].(string), errInjected) {
					t.Errorf("logs %q lack the error", final["logs"])
				}
				failed[id] = true
			case "succeeded":
			default:
				t.Errorf("status %v", final["status"])
			}
		}
		return failed
	}
	if got := failedIDs(1, 1); len(got) != n {
		t.Errorf("FailRate 1: %d of %d failed", len(got), n)
	}
	if got := failedIDs(1, 0); len(got) != 0 {
		t.Errorf("FailRate 0: %d of %d failed", len(got), n)
	}
	a, b := failedIDs(7, 0.5), failedIDs(7, 0.5)
	if len(a) == 0 || len(a) == n {
		t.Errorf("FailRate 0.5: %d of %d failed", len(a), n)
	}
	if !maps.Equal(a, b) {
		t.Errorf("same seed, different failures: %v and %v", a, b)
	}
}

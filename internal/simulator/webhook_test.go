package simulator

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/webhook"
)

func verifier(t *testing.T) webhook.Secret {
	t.Helper()
	sec, err := webhook.ParseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

func TestWebhookFilterAndSignature(t *testing.T) {
	var log eventLog
	s, base := startSim(t, Config{LogInterval: time.Millisecond, OnEvent: log.add})
	rcv := newReceiver(t, nil)
	p := create(t, base, map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 0.05},
		"webhook": rcv.URL, "webhook_events_filter": []string{"start", "completed"}}, nil)
	got := rcv.until(t)
	if len(got) != 2 {
		t.Fatalf("got %d deliveries, want start and completed", len(got))
	}
	sec := verifier(t)
	for i, want := range []string{"starting", "succeeded"} {
		d := got[i]
		if st := object(t, d.Body)["status"]; st != want {
			t.Errorf("delivery %d: status %v, want %s", i, st, want)
		}
		if err := sec.Verify(d.Header, d.Body, time.Now()); err != nil {
			t.Errorf("delivery %d: %v", i, err)
		}
		if d.Header.Get("Content-Type") != "application/json" || d.Header.Get("User-Agent") != userAgent {
			t.Errorf("headers %v", d.Header)
		}
	}
	if got[0].Header.Get("webhook-id") == got[1].Header.Get("webhook-id") {
		t.Error("webhook-id reused across messages")
	}
	final := waitTerminal(t, s, p["id"].(string))
	if !equalJSON(object(t, got[1].Body), final) {
		t.Errorf("completed body differs from GET:\n%s\n%v", got[1].Body, final)
	}
	if !equalJSON(final["webhook_events_filter"], []string{"start", "completed"}) || final["webhook"] != rcv.URL {
		t.Errorf("echo: %v %v", final["webhook"], final["webhook_events_filter"])
	}
	s.Close()
	rcv.none(t)
	for _, e := range log.all() {
		if e.Kind == "webhook" && e.Event != "start" && e.Event != "completed" {
			t.Errorf("sent %s outside the filter", e.Event)
		}
	}
}

// TestDefaultFilter: without webhook_events_filter, only output and
// completed are sent, even for a prediction that logs.
func TestDefaultFilter(t *testing.T) {
	var log eventLog
	s, base := startSim(t, Config{LogInterval: time.Millisecond, OnEvent: log.add})
	rcv := newReceiver(t, nil)
	p := create(t, base, map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 0.05}, "webhook": rcv.URL}, nil)
	if !equalJSON(p["webhook_events_filter"], defaultEvents) {
		t.Errorf("filter %v", p["webhook_events_filter"])
	}
	got := rcv.until(t)
	final := waitTerminal(t, s, p["id"].(string))
	if len(got) != 2 || object(t, got[0].Body)["output"] == nil {
		t.Errorf("got %d deliveries, want output then completed", len(got))
	}
	s.Close()
	for _, e := range log.all() {
		if e.Kind == "webhook" && e.Event != eventOutput && e.Event != eventCompleted {
			t.Errorf("sent %s without a filter (logs: %q)", e.Event, final["logs"])
		}
	}
}

// fakeClock advances one second per reading, so each attempt has its own timestamp.
func fakeClock() func() time.Time {
	var n atomic.Int64
	start := time.Now()
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Second) }
}

func TestTerminalWebhookRetries(t *testing.T) {
	s, base := startSim(t, Config{Now: fakeClock(), RetryDelays: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}})
	rcv := newReceiver(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	create(t, base, map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{},
		"webhook": rcv.URL, "webhook_events_filter": []string{"completed"}}, nil)
	got := []delivery{rcv.next(t), rcv.next(t), rcv.next(t)}
	s.Close()
	rcv.none(t) // success on the third attempt ends the retries
	sec := verifier(t)
	var stamps []string
	for _, d := range got {
		if d.Header.Get("webhook-id") != got[0].Header.Get("webhook-id") {
			t.Errorf("retry changed webhook-id")
		}
		if string(d.Body) != string(got[0].Body) {
			t.Errorf("retry changed the body")
		}
		if err := sec.VerifyTolerance(d.Header, d.Body, time.Now(), time.Hour); err != nil {
			t.Errorf("retry signature: %v", err)
		}
		stamps = append(stamps, d.Header.Get("webhook-timestamp"))
	}
	if uniq := slices.Compact(slices.Sorted(slices.Values(stamps))); len(uniq) != 3 {
		t.Errorf("timestamps not fresh: %v", stamps)
	}
}

func TestOnlyTerminalWebhookRetried(t *testing.T) {
	s, base := startSim(t, Config{RetryDelays: []time.Duration{time.Millisecond, time.Millisecond}})
	rcv := newReceiver(t, func(int) int { return http.StatusServiceUnavailable })
	create(t, base, map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{},
		"webhook": rcv.URL, "webhook_events_filter": []string{"start", "completed"}}, nil)
	statuses := []any{}
	for range 4 { // start once, completed three times
		statuses = append(statuses, object(t, rcv.next(t).Body)["status"])
	}
	s.Close()
	rcv.none(t)
	if !equalJSON(statuses, []string{"starting", "succeeded", "succeeded", "succeeded"}) {
		t.Errorf("statuses %v", statuses)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	target := newReceiver(t, nil)
	hits := make(chan struct{}, 10)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits <- struct{}{}
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	s, base := startSim(t, Config{RetryDelays: []time.Duration{time.Millisecond}, HTTPClient: &http.Client{Timeout: time.Second}})
	create(t, base, map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{},
		"webhook": redirector.URL, "webhook_events_filter": []string{"completed"}}, nil)
	for range 2 { // a 3xx is a failure: retried, not followed
		select {
		case <-hits:
		case <-time.After(waitLimit):
			t.Fatal("no delivery to the redirecting endpoint")
		}
	}
	s.Close()
	target.none(t)
}

func TestLogsAndOutputThrottled(t *testing.T) {
	const throttle = 100 * time.Millisecond
	var log eventLog
	s, base := startSim(t, Config{Throttle: throttle, LogInterval: time.Millisecond, OnEvent: log.add})
	rcv := newReceiver(t, nil)
	began := time.Now()
	p := create(t, base, map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 0.4},
		"webhook": rcv.URL, "webhook_events_filter": []string{"logs", "output", "completed"}}, nil)
	got := rcv.until(t)
	elapsed := time.Since(began)
	final := waitTerminal(t, s, p["id"].(string))
	s.Close()
	var throttled int
	for _, e := range log.all() {
		if e.Kind == "webhook" && (e.Event == "logs" || e.Event == "output") {
			throttled++
		}
	}
	lines := len(final["logs"].(string)) / 20 // well under the real count of log lines
	if limit := int(elapsed/throttle) + 1; throttled == 0 || throttled > limit || throttled >= lines {
		t.Errorf("%d logs/output webhooks in %v (throttle %v, ~%d+ log lines)", throttled, elapsed, throttle, lines)
	}
	t.Logf("%d logs/output webhooks in %v, %d bytes of logs", throttled, elapsed, len(final["logs"].(string)))
	if len(got) != throttled+1 {
		t.Errorf("received %d, sent %d throttled + completed", len(got), throttled)
	}
}

func TestEchoOutputWebhook(t *testing.T) {
	_, base := startSim(t, Config{})
	rcv := newReceiver(t, nil)
	call(t, "POST", base+"/models/acme/echo/predictions", map[string]any{"input": map[string]any{"x": 1},
		"webhook": rcv.URL, "webhook_events_filter": []string{"output"}}, nil)
	d := rcv.next(t)
	if out := object(t, d.Body)["output"]; !equalJSON(out, map[string]any{"x": 1}) {
		t.Errorf("output webhook carries %v", out)
	}
}

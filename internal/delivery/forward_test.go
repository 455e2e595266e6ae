package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/listener"
)

// results collects a Forwarder's outcomes.
type results struct {
	mu  sync.Mutex
	got []Forwarded
	ch  chan Forwarded
}

func newResults() *results { return &results{ch: make(chan Forwarded, 1000)} }

func (r *results) on(f Forwarded) {
	r.mu.Lock()
	r.got = append(r.got, f)
	r.mu.Unlock()
	r.ch <- f
}

func (r *results) wait(t *testing.T, n int) []Forwarded {
	t.Helper()
	var out []Forwarded
	for range n {
		select {
		case f := <-r.ch:
			out = append(out, f)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d forward results, want %d", len(out), n)
		}
	}
	return out
}

func forDelivery(webhookID, predictionID string, v listener.Verdict) listener.Delivery {
	d := testDelivery([]byte(fmt.Sprintf(`{"id":%q,"n":%q}`, predictionID, webhookID)))
	d.WebhookID, d.Verdict = webhookID, v
	d.Prediction = &listener.Summary{ID: predictionID}
	return d
}

func TestForwarderSendsAcceptedOnly(t *testing.T) {
	tg := newTarget(t, http.StatusInternalServerError)
	res := newResults()
	f := NewForwarder(ForwarderConfig{URL: tg.URL + "/webhooks", OnResult: res.on})
	for i, v := range []listener.Verdict{listener.Verified, listener.Duplicate, listener.Rejected, listener.Unverified} {
		if err := f.Forward(forDelivery(fmt.Sprint("msg_", i), "p_1", v)); err != nil {
			t.Fatal(err)
		}
	}
	if unsent := f.Close(context.Background()); unsent != 0 {
		t.Errorf("Close: %d unsent", unsent)
	}
	got := tg.requests()
	if len(got) != 2 || !strings.Contains(got[0].body, "msg_0") || !strings.Contains(got[1].body, "msg_3") {
		t.Errorf("target got %+v; want the verified and the unverified delivery", got)
	}
	for _, r := range res.wait(t, 2) {
		if r.Result.Status != 500 || r.PredictionID != "p_1" {
			t.Errorf("result %+v", r)
		}
	}
	if err := f.Forward(forDelivery("late", "p_1", listener.Verified)); !errors.Is(err, ErrClosed) {
		t.Errorf("Forward after Close = %v, want ErrClosed", err)
	}
}

// blockingTarget holds every request until release is closed, and says
// when each arrives.
func blockingTarget(t *testing.T) (url string, arrived <-chan string, release func()) {
	t.Helper()
	ch := make(chan string, 100)
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- string(b)
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	var once sync.Once
	rel := func() { once.Do(func() { close(stop) }) }
	t.Cleanup(func() { rel(); srv.Close() })
	return srv.URL, ch, rel
}

func TestForwarderSlowTargetNeverBlocks(t *testing.T) {
	url, arrived, release := blockingTarget(t)
	res := newResults()
	f := NewForwarder(ForwarderConfig{URL: url, Workers: 4, MaxQueued: 10, OnResult: res.on})
	// Every Forward returns at once, whatever the target does; past the
	// bound, deliveries are refused rather than waited for.
	var full int
	for i := range 20 {
		err := f.Forward(forDelivery(fmt.Sprint("msg_", i), fmt.Sprint("p_", i), listener.Verified))
		switch {
		case errors.Is(err, ErrQueueFull):
			full++
		case err != nil:
			t.Fatal(err)
		}
	}
	if full != 10 {
		t.Errorf("%d refused as queue full, want 10", full)
	}
	// Forwards run concurrently: several requests are at the target at once.
	seen := map[string]bool{}
	for len(seen) < 2 {
		select {
		case b := <-arrived:
			seen[b] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d forwards reached the target at once", len(seen))
		}
	}
	release()
	if unsent := f.Close(context.Background()); unsent != 0 {
		t.Errorf("%d unsent", unsent)
	}
	if got := res.wait(t, 10); len(got) != 10 {
		t.Errorf("%d results", len(got))
	}
}

func TestForwarderKeepsOrderPerPrediction(t *testing.T) {
	var mu sync.Mutex
	order := map[string][]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		order[r.Header.Get("X-Prediction")] = append(order[r.Header.Get("X-Prediction")], r.Header.Get("Webhook-Id"))
		mu.Unlock()
	}))
	defer srv.Close()
	f := NewForwarder(ForwarderConfig{URL: srv.URL, Workers: 8})
	for i := range 50 {
		for p := range 5 {
			d := forDelivery(fmt.Sprintf("msg_%02d", i), fmt.Sprint("p_", p), listener.Verified)
			d.Header = http.Header{"Webhook-Id": {d.WebhookID}, "X-Prediction": {fmt.Sprint("p_", p)}}
			if err := f.Forward(d); err != nil {
				t.Fatal(err)
			}
		}
	}
	if unsent := f.Close(context.Background()); unsent != 0 {
		t.Fatalf("%d unsent", unsent)
	}
	for p, ids := range order {
		for i, id := range ids {
			if want := fmt.Sprintf("msg_%02d", i); id != want {
				t.Fatalf("%s: delivery %d was %s, want %s (order lost)", p, i, id, want)
			}
		}
	}
	if len(order) != 5 {
		t.Errorf("%d predictions reached the target, want 5", len(order))
	}
}

func TestForwarderCloseGivesUp(t *testing.T) {
	url, arrived, _ := blockingTarget(t)
	res := newResults()
	f := NewForwarder(ForwarderConfig{URL: url, Workers: 1, OnResult: res.on})
	for i := range 3 {
		if err := f.Forward(forDelivery(fmt.Sprint("msg_", i), "p_1", listener.Verified)); err != nil {
			t.Fatal(err)
		}
	}
	<-arrived // the first is in flight, two wait behind it
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the grace period is over before it began
	if unsent := f.Close(ctx); unsent != 3 {
		t.Errorf("Close = %d unsent, want 3 (one cut short, two never sent)", unsent)
	}
	if got := res.wait(t, 1); !errors.Is(got[0].Result.Err, ErrStopped) {
		t.Errorf("the cut forward reported %+v", got[0].Result)
	}
}

func TestForwarderTimeout(t *testing.T) {
	url, _, _ := blockingTarget(t)
	res := newResults()
	f := NewForwarder(ForwarderConfig{URL: url, Timeout: 50 * time.Millisecond, OnResult: res.on})
	defer f.Close(context.Background())
	if err := f.Forward(forDelivery("msg_1", "p_1", listener.Verified)); err != nil {
		t.Fatal(err)
	}
	got := res.wait(t, 1)[0].Result
	if got.OK() || got.Describe(f.Timeout()) != "no answer within 50ms" {
		t.Errorf("result %+v: %q", got, got.Describe(f.Timeout()))
	}
}

func TestForwarderBoundsQueuedBytes(t *testing.T) {
	url, arrived, release := blockingTarget(t)
	f := NewForwarder(ForwarderConfig{URL: url, Workers: 1, MaxQueuedBytes: 100})
	defer f.Close(context.Background())
	defer release() // before Close
	d := forDelivery("msg_1", "p_1", listener.Verified)
	d.Body = []byte(strings.Repeat("x", 60))
	if err := f.Forward(d); err != nil {
		t.Fatal(err)
	}
	<-arrived
	if err := f.Forward(d); !errors.Is(err, ErrQueueFull) {
		t.Errorf("second 60-byte body over a 100-byte bound: %v, want ErrQueueFull", err)
	}
}

// TestForwarderCloseDoesNotWaitForBlockedOutput gives up on a forward whose
// result cannot be shown: stdout is blocked.
func TestForwarderCloseDoesNotWaitForBlockedOutput(t *testing.T) {
	tg := newTarget(t, http.StatusOK)
	blocked := make(chan struct{})
	defer close(blocked)
	showing := make(chan struct{}, 1)
	f := NewForwarder(ForwarderConfig{URL: tg.URL, OnResult: func(Forwarded) {
		showing <- struct{}{}
		<-blocked
	}})
	if err := f.Forward(forDelivery("msg_1", "p_1", listener.Verified)); err != nil {
		t.Fatal(err)
	}
	<-showing
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if unsent := f.Close(ctx); unsent != 1 {
		t.Errorf("Close = %d unsent, want 1 (sent, but its result not shown)", unsent)
	}
}

package watch_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/watch"
)

// heldCreates holds every create call at the transport until release is
// closed, and says when one is held.
type heldCreates struct {
	held    chan struct{}
	release chan struct{}
}

func (h *heldCreates) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.URL.Path == "/v1/predictions" {
		h.held <- struct{}{}
		<-h.release
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestWatchStoppedDuringCreate stops the watch (Ctrl-C) while the create
// call is in flight: the call is let finish, and what it created is canceled
// rather than left running unseen.
func TestWatchStoppedDuringCreate(t *testing.T) {
	for _, noCancel := range []bool{false, true} {
		h := &heldCreates{held: make(chan struct{}, 1), release: make(chan struct{})}
		e := newEnvWith(t, simulator.Faults{}, h)
		ctx, cancel := context.WithCancelCause(context.Background())
		go func() {
			<-h.held
			cancel(errors.New("interrupted"))
			close(h.release)
		}()
		_, err := e.hub.Watch(ctx, e.client, e.request(map[string]any{"sleep": 30}), watch.Options{NoCancel: noCancel})
		var se *watch.StoppedError
		if !errors.As(err, &se) || se.PredictionID == "" {
			t.Fatalf("noCancel=%v: err = %v, want a StoppedError naming the prediction", noCancel, err)
		}
		if se.Canceled == noCancel || e.sim.CancelCount(se.PredictionID) != map[bool]int{false: 1, true: 0}[noCancel] {
			t.Errorf("noCancel=%v: canceled %v, %d cancel calls", noCancel, se.Canceled, e.sim.CancelCount(se.PredictionID))
		}
		if se.Cause.Error() != "interrupted" {
			t.Errorf("cause %v", se.Cause)
		}
	}
}

// TestWatchCancelsUnreadableCreate sends a number no float64 holds: the API
// creates the prediction and echoes the input, which replicate-go cannot
// decode. The prediction must not be left running.
func TestWatchCancelsUnreadableCreate(t *testing.T) {
	e := newEnv(t, simulator.Faults{})
	req := e.request(map[string]any{"x": json.Number("1e400")})
	req.Version = simulator.EchoModel + ":" + simulator.EchoVersion // echoes its input
	_, err := e.hub.Watch(context.Background(), e.client, req, watch.Options{})
	var ce *watch.CreatedError
	if !errors.As(err, &ce) || ce.PredictionID == "" {
		t.Fatalf("err = %v, want a CreatedError", err)
	}
	if !ce.Canceled || e.sim.CancelCount(ce.PredictionID) != 1 {
		t.Errorf("canceled %v, %d cancel calls; want it canceled once", ce.Canceled, e.sim.CancelCount(ce.PredictionID))
	}
}

func TestWatchNotStartedWhenAlreadyStopped(t *testing.T) {
	e := newEnv(t, simulator.Faults{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.hub.Watch(ctx, e.client, e.request(nil), watch.Options{})
	var se *watch.StoppedError
	if !errors.Is(err, context.Canceled) || errors.As(err, &se) {
		t.Errorf("err = %v, want context.Canceled before any create", err)
	}
}

// TestWatchStoppedAfterUnseenSuccess: the webhook was lost and no poll ran;
// when the watch is stopped it asks once, finds the prediction finished,
// and says so instead of canceling it.
func TestWatchStoppedAfterUnseenSuccess(t *testing.T) {
	e := newEnv(t, simulator.Faults{DropWebhooks: true})
	ctx, cancel := context.WithTimeoutCause(context.Background(), 500*time.Millisecond, errors.New("timed out"))
	defer cancel()
	_, err := e.hub.Watch(ctx, e.client, e.request(map[string]any{"sleep": 0}), watch.Options{})
	var se *watch.StoppedError
	if !errors.As(err, &se) || se.Final == nil || se.Final.Status != "succeeded" {
		t.Fatalf("err = %v, want a StoppedError with the succeeded prediction", err)
	}
	if se.Canceled || e.sim.CancelCount(se.PredictionID) != 0 {
		t.Errorf("a finished prediction was canceled")
	}
	if !strings.Contains(err.Error(), "had succeeded") {
		t.Errorf("message %q", err)
	}
}

// TestWatchPollJustAheadOfWebhook: a poll that finds the prediction
// finished just before its webhook comes does not report the webhook lost.
func TestWatchPollJustAheadOfWebhook(t *testing.T) {
	e := newEnv(t, simulator.Faults{WebhookDelay: 500 * time.Millisecond})
	res, err := e.hub.Watch(context.Background(), e.client, e.request(map[string]any{"sleep": 0}), watch.Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Via != watch.ViaWebhook {
		t.Errorf("result via %s, want webhook: it came %v after completion, within the grace", res.Via, 500*time.Millisecond)
	}
}

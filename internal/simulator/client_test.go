package simulator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// newClient starts a simulator and returns replicate-go pointed at it.
func newClient(t *testing.T, cfg simulator.Config) (*simulator.Simulator, *replicate.Client) {
	t.Helper()
	sim, err := simulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	c, err := replicate.NewClient(replicate.WithToken(sim.Token()), replicate.WithBaseURL(base),
		replicate.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

func TestReplicateGoClient(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim, c := newClient(t, simulator.Config{})

	type hook struct {
		h    http.Header
		body []byte
	}
	hooks := make(chan hook, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hooks <- hook{r.Header.Clone(), body}
	}))
	defer rcv.Close()

	wh := &replicate.Webhook{URL: rcv.URL, Events: []replicate.WebhookEventType{replicate.WebhookEventCompleted}}
	p, err := c.CreatePrediction(ctx, simulator.ChaosMonkeyVersion, replicate.PredictionInput{"sleep": 0.01, "outcome": "success"}, wh, false)
	if err != nil {
		t.Fatalf("CreatePrediction: %v", err)
	}
	if err := c.Wait(ctx, p, replicate.WithPollingInterval(10*time.Millisecond)); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if p.Status != replicate.Succeeded || p.Output == nil || p.Metrics == nil || p.Metrics.PredictTime == nil {
		t.Errorf("after Wait: %+v", p)
	}

	secret, err := c.GetDefaultWebhookSecret(ctx)
	if err != nil {
		t.Fatalf("GetDefaultWebhookSecret: %v", err)
	}
	sec, err := webhook.ParseSecret(secret.Key)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case h := <-hooks:
		if err := sec.Verify(h.h, h.body, time.Now()); err != nil {
			t.Errorf("webhook signature: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("no webhook")
	}

	got, err := c.GetPrediction(ctx, p.ID)
	if err != nil || got.ID != p.ID || got.Status != replicate.Succeeded {
		t.Errorf("GetPrediction: %+v, %v", got, err)
	}

	slow, err := c.CreatePredictionWithModel(ctx, "acme", "echo", replicate.PredictionInput{"sleep": 60, "text": "hi"}, nil, false)
	if err != nil {
		t.Fatalf("CreatePredictionWithModel: %v", err)
	}
	canceled, err := c.CancelPrediction(ctx, slow.ID)
	if err != nil || canceled.Status != replicate.Canceled {
		t.Errorf("CancelPrediction: %+v, %v", canceled, err)
	}
	if n := sim.CancelCount(slow.ID); n != 1 {
		t.Errorf("CancelCount = %d", n)
	}

	page, err := c.ListPredictions(ctx)
	if err != nil || len(page.Results) != 2 || page.Results[0].ID != slow.ID || page.Next != nil {
		t.Errorf("ListPredictions: %+v, %v", page, err)
	}
}

func TestReplicateGoErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim, c := newClient(t, simulator.Config{})

	_, err := c.CreatePrediction(ctx, "0000000000000000000000000000000000000000000000000000000000000000", replicate.PredictionInput{}, nil, false)
	var apiErr *replicate.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 422 || apiErr.Title != "Invalid version or not permitted" {
		t.Errorf("unknown version: %v", err)
	}
	_, err = c.GetPrediction(ctx, "doesnotexist")
	if !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Errorf("unknown prediction: %v", err)
	}

	bad, err := replicate.NewClient(replicate.WithToken("wrong"), replicate.WithBaseURL(sim.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.ListPredictions(ctx)
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Title != "Unauthenticated" {
		t.Errorf("bad token: %v", err)
	}
}

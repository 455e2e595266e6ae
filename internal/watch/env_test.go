package watch_test

import (
	"context"
	"net"
	"testing"

	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/notifier-dev/notifier/internal/webhook"
	"github.com/replicate/replicate-go"
)

// testEnv is a simulator reached over HTTP by replicate-go, and a real
// listener on loopback that feeds verified deliveries into a Hub.
type testEnv struct {
	sim     *simulator.Simulator
	client  *replicate.Client
	hub     *watch.Hub
	hookURL string
}

// newEnv starts a simulator with seed 1 and the given faults, and a listener
// for its webhooks. Both stop when the test ends.
func newEnv(t *testing.T, faults simulator.Faults) *testEnv {
	t.Helper()
	sim, err := simulator.New(simulator.Config{Seed: 1, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	base, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	client, err := replicate.NewClient(replicate.WithToken(sim.Token()), replicate.WithBaseURL(base))
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{sim: sim, client: client, hub: watch.NewHub()}
	e.hookURL = startListener(t, sim.Secret(), e.hub)
	// Registered last, so it runs first: no webhook goes to a closed listener.
	t.Cleanup(func() {
		if err := sim.Close(); err != nil {
			t.Errorf("closing simulator: %v", err)
		}
	})
	return e
}

// startListener serves a listener for secret on loopback and returns its
// webhook URL. Verified deliveries go to hub.
func startListener(t *testing.T, secretStr string, hub *watch.Hub) string {
	t.Helper()
	secret, err := webhook.ParseSecret(secretStr)
	if err != nil {
		t.Fatal(err)
	}
	l, err := listener.New(listener.Config{
		Secret: &secret,
		Path:   "/hook/x",
		OnDelivery: func(d listener.Delivery) {
			if d.Verdict == listener.Verified {
				hub.Deliver(d.Prediction, d.ReceivedAt)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("listener: %v", err)
		}
	})
	return "http://" + ln.Addr().String() + "/hook/x"
}

// request asks for a chaos-monkey prediction with the given input whose
// completed webhook goes to the env's listener.
func (e *testEnv) request(input map[string]any) watch.Request {
	return watch.Request{
		Version:    simulator.ChaosMonkeyVersion,
		Input:      input,
		WebhookURL: e.hookURL,
		Events:     []replicate.WebhookEventType{replicate.WebhookEventCompleted},
	}
}

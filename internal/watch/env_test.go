package watch_test

import (
	"net/http"
	"testing"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/replicateapi"
	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/notifier-dev/notifier/internal/watch/watchtest"
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
	return newEnvWith(t, faults, nil)
}

// newEnvWith is newEnv with the API client's requests going through
// transport (nil: http.DefaultTransport).
func newEnvWith(t *testing.T, faults simulator.Faults, transport http.RoundTripper) *testEnv {
	t.Helper()
	sim, err := simulator.New(simulator.Config{Seed: 1, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	base, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	client, err := replicateapi.NewClient(replicateapi.Config{Token: sim.Token(), BaseURL: base, Transport: transport})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{sim: sim, client: client, hub: watch.NewHub()}
	e.hookURL = watchtest.ServeHub(t, sim.Secret(), e.hub)
	// Registered last, so it runs first: no webhook goes to a closed listener.
	t.Cleanup(func() {
		if err := sim.Close(); err != nil {
			t.Errorf("closing simulator: %v", err)
		}
	})
	return e
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

package smoke_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/notifier-dev/notifier/internal/watch/watchtest"
)

// testEnv is a simulator reached over HTTP by replicate-go, and a real
// listener on loopback that feeds verified deliveries into a Hub, as in
// internal/watch's tests.
type testEnv struct {
	sim     *simulator.Simulator
	client  *replicate.Client
	hub     *watch.Hub
	hookURL string

	creates   atomic.Int64 // create calls answered 201
	throttled atomic.Int64 // create calls answered 429
	onRequest atomic.Pointer[func(*http.Request)]
}

// newEnv starts a simulator with seed 1 and the given faults, and a listener
// for its webhooks. Both stop when the test ends.
//
// The client does not retry (WithRetryPolicy(0, ...)), so that a 429 reaches
// smoke.Run, which is what the tests exercise. replicate-go still sleeps for
// a 429's Retry-After once before giving up, ignoring the context, so the
// transport drops that header, as the CLI's retry transport does.
func newEnv(t testing.TB, faults simulator.Faults) *testEnv {
	t.Helper()
	e := &testEnv{hub: watch.NewHub()}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 100
	sim, err := simulator.New(simulator.Config{Seed: 1, Faults: faults, OnEvent: e.count,
		HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	base, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.sim = sim
	e.client, err = replicate.NewClient(replicate.WithToken(sim.Token()), replicate.WithBaseURL(base),
		replicate.WithRetryPolicy(0, &replicate.ConstantBackoff{}),
		replicate.WithHTTPClient(&http.Client{Transport: &testTransport{base: tr, env: e}}))
	if err != nil {
		t.Fatal(err)
	}
	e.hookURL = watchtest.ServeHub(t, sim.Secret(), e.hub)
	// Registered last, so it runs first: no webhook goes to a closed listener.
	t.Cleanup(func() {
		// A connection dialled but never used would hold up the server's
		// shutdown for 5 s (net/http treats it as active until then).
		tr.CloseIdleConnections()
		if err := sim.Close(); err != nil {
			t.Errorf("closing simulator: %v", err)
		}
	})
	return e
}

// count observes the simulator's answers to create calls.
func (e *testEnv) count(ev simulator.Event) {
	if ev.Kind != "api" || ev.Method != http.MethodPost || ev.Path != "/v1/predictions" {
		return
	}
	switch ev.Status {
	case http.StatusCreated:
		e.creates.Add(1)
	case http.StatusTooManyRequests:
		e.throttled.Add(1)
	}
}

// testTransport calls env.onRequest, if set, before each request, and drops
// Retry-After from answers.
type testTransport struct {
	base http.RoundTripper
	env  *testEnv
}

func (t *testTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if f := t.env.onRequest.Load(); f != nil {
		(*f)(req)
	}
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		resp.Header.Del("Retry-After")
	}
	return resp, err
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

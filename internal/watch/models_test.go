package watch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/watch"
)

// callCounter counts the API calls that go through it, by method and path,
// and can rewrite the answers to one path.
type callCounter struct {
	mu      sync.Mutex
	calls   map[string]int
	rewrite map[string]func(map[string]any) // path -> change to the JSON answer
}

func (c *callCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.calls[r.Method+" "+r.URL.Path]++
	change := c.rewrite[r.URL.Path]
	c.mu.Unlock()
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || change == nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	change(body)
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func (c *callCounter) count(call string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[call]
}

// byName asks for owner/name without a version.
func byName(e *testEnv, owner, name string, input map[string]any) watch.Request {
	req := e.request(input)
	req.Version, req.Owner, req.Name = "", owner, name
	return req
}

// TestWatchCommunityModelByName: zeke/chaos-monkey is not an official
// model, so the models route answers 404 and it runs at its latest version;
// a second watch on the same hub goes straight to that version.
func TestWatchCommunityModelByName(t *testing.T) {
	cc := &callCounter{calls: map[string]int{}}
	e := newEnvWith(t, simulator.Faults{}, cc)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for i := range 2 {
		rec := &recorder{}
		res, err := e.hub.Watch(ctx, e.client, byName(e, "zeke", "chaos-monkey", map[string]any{"sleep": 0}), watch.Options{OnEvent: rec.record})
		if err != nil {
			t.Fatalf("watch %d: %v", i, err)
		}
		if p := res.Prediction; p.Status != replicate.Succeeded || p.Model != simulator.ChaosMonkeyModel || p.Version != simulator.ChaosMonkeyVersion {
			t.Errorf("watch %d: %s %s:%s, want zeke/chaos-monkey succeeded at its version", i, p.Status, p.Model, p.Version)
		}
		var latest []watch.Event
		for _, ev := range rec.events {
			if ev.Kind == watch.EventLatestVersion {
				latest = append(latest, ev)
			}
		}
		if i == 0 && (len(latest) != 1 || latest[0].Model != simulator.ChaosMonkeyModel || latest[0].Version != simulator.ChaosMonkeyVersion) {
			t.Errorf("watch 0: latest_version events %+v, want one naming the model and its version", latest)
		}
		if i == 1 && len(latest) != 0 {
			t.Errorf("watch 1: latest_version events %+v, want none (the version is known)", latest)
		}
	}
	if n, m := cc.count("POST /v1/models/zeke/chaos-monkey/predictions"), cc.count("GET /v1/models/zeke/chaos-monkey"); n != 1 || m != 1 {
		t.Errorf("%d calls to the models route and %d lookups, want 1 and 1", n, m)
	}
}

func TestWatchUnknownModelByName(t *testing.T) {
	e := newEnv(t, simulator.Faults{})
	_, err := e.hub.Watch(context.Background(), e.client, byName(e, "acme", "nope", nil), watch.Options{})
	var me *watch.ModelError
	var ae *replicate.APIError
	if !errors.As(err, &me) || !me.NotFound || me.Model != "acme/nope" || !errors.As(err, &ae) || ae.Status != 404 {
		t.Fatalf("err = %v, want a ModelError for a model not found", err)
	}
	if err.Error() != "model acme/nope not found" {
		t.Errorf("message %q", err)
	}
}

// TestWatchModelWithoutVersion: a model the models API knows but that has
// no version to run (its latest_version is null).
func TestWatchModelWithoutVersion(t *testing.T) {
	cc := &callCounter{calls: map[string]int{}, rewrite: map[string]func(map[string]any){
		"/v1/models/zeke/chaos-monkey": func(m map[string]any) { m["latest_version"] = nil },
	}}
	e := newEnvWith(t, simulator.Faults{}, cc)
	_, err := e.hub.Watch(context.Background(), e.client, byName(e, "zeke", "chaos-monkey", nil), watch.Options{})
	var me *watch.ModelError
	if !errors.As(err, &me) || me.NotFound || me.Model != simulator.ChaosMonkeyModel {
		t.Fatalf("err = %v, want a ModelError for a model without a version", err)
	}
	if cc.count("POST /v1/predictions") != 0 {
		t.Error("a prediction was created")
	}
}

// TestWatchDeployment runs the simulator's deployment: the result names
// the deployed model and version, and the deployment.
func TestWatchDeployment(t *testing.T) {
	e := newEnv(t, simulator.Faults{})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	req := e.request(map[string]any{"sleep": 0.1})
	req.Version, req.Deployment = "", simulator.ChaosMonkeyDeployment
	res, err := e.hub.Watch(ctx, e.client, req, watch.Options{})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	var dep struct {
		Deployment string `json:"deployment"`
	}
	if err := json.Unmarshal(res.Prediction.RawJSON(), &dep); err != nil {
		t.Fatal(err)
	}
	p := res.Prediction
	if p.Status != replicate.Succeeded || res.Via != watch.ViaWebhook || p.Model != simulator.ChaosMonkeyModel ||
		p.Version != simulator.ChaosMonkeyVersion || dep.Deployment != simulator.ChaosMonkeyDeployment {
		t.Errorf("result %s via %s: model %s version %s deployment %q", p.Status, res.Via, p.Model, p.Version, dep.Deployment)
	}

	req.Deployment = "no-slash"
	if _, err := e.hub.Watch(ctx, e.client, req, watch.Options{}); err == nil || err.Error() != `invalid deployment "no-slash": want owner/name` {
		t.Errorf("err = %v, want the deployment refused", err)
	}
}

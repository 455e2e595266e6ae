package simulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/simulator"
)

// equalJSON compares two values as JSON.
func equalJSON(a, b any) bool {
	norm := func(v any) any {
		raw, _ := json.Marshal(v)
		var out any
		_ = json.Unmarshal(raw, &out)
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// TestReplicateGoImage: acme/image's outputs are delivery URLs, served
// without a token, of PNGs of the asked size; a seed gives the same pixels.
func TestReplicateGoImage(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim, c := newClient(t, simulator.Config{})
	in := replicate.PredictionInput{"num_outputs": 2, "width": 64, "height": 96, "seed": 7}
	p, err := c.CreatePredictionWithModel(ctx, "acme", "image", in, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(ctx, p, replicate.WithPollingInterval(10*time.Millisecond)); err != nil || p.Status != replicate.Succeeded {
		t.Fatalf("Wait: %v, %s", err, p.RawJSON())
	}
	if p.URLs["stream"] != "" {
		t.Errorf("urls.stream %q on a model that does not stream", p.URLs["stream"])
	}
	urls, _ := p.Output.([]any)
	if len(urls) != 2 {
		t.Fatalf("output %#v, want two URLs", p.Output)
	}
	var first []byte
	for i, u := range urls {
		want := strings.TrimSuffix(sim.BaseURL(), "/v1") + "/delivery/" + p.ID + "/out-" + string(rune('0'+i)) + ".png"
		if u != want {
			t.Errorf("output %d is %v, want %s", i, u, want)
		}
		code, ctype, body := download(t, u.(string), "")
		img, err := png.Decode(bytes.NewReader(body))
		if code != http.StatusOK || ctype != "image/png" || err != nil {
			t.Fatalf("GET %v: %d %q, decoding: %v", u, code, ctype, err)
		}
		if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 96 {
			t.Errorf("image %d is %v, want 64x96", i, b)
		}
		if i == 0 {
			first = body
		} else if bytes.Equal(first, body) {
			t.Error("the two images are the same, want seed and seed+1")
		}
	}
	// The same seed makes the same pixels.
	again, err := c.Run(ctx, simulator.ImageModel, replicate.PredictionInput{"width": 64, "height": 96, "seed": 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, body := download(t, again.([]any)[0].(string), ""); !bytes.Equal(body, first) {
		t.Error("seed 7 made different pixels the second time")
	}
	// Inputs are checked against the schema.
	_, err = c.Run(ctx, simulator.ImageModel, replicate.PredictionInput{"num_outputs": 5}, nil)
	var ae *replicate.APIError
	if !errors.As(err, &ae) || ae.Status != 422 {
		t.Errorf("num_outputs 5: %v, want a 422", err)
	}
}

// TestReplicateGoOutputTTL: after the output TTL a prediction's data is
// removed: data_removed true, input and output null, its delivery URLs 404.
func TestReplicateGoOutputTTL(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, c := newClient(t, simulator.Config{OutputTTL: 50 * time.Millisecond})
	p, err := c.CreatePredictionWithModel(ctx, "acme", "image", replicate.PredictionInput{"width": 64, "height": 64}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(ctx, p, replicate.WithPollingInterval(5*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	url, _ := p.Output.([]any)[0].(string)
	var raw struct {
		DataRemoved bool `json:"data_removed"`
		Input       any  `json:"input"`
		Output      any  `json:"output"`
	}
	poll(t, "data_removed", func() bool {
		got, err := c.GetPrediction(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got.RawJSON(), &raw); err != nil {
			t.Fatal(err)
		}
		return raw.DataRemoved
	})
	if raw.Input != nil || raw.Output != nil {
		t.Errorf("removed prediction: input %v, output %v; want null", raw.Input, raw.Output)
	}
	if code, _, _ := download(t, url, ""); code != http.StatusNotFound {
		t.Errorf("GET %s after the TTL: %d, want 404", url, code)
	}
}

// TestReplicateGoDeadline: Cancel-After (sent by a transport: replicate-go
// has no option for it) cancels a prediction processing at its deadline,
// and aborts one that had not started.
func TestReplicateGoDeadline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults simulator.Faults
		want   replicate.Status
	}{
		{"processing", simulator.Faults{}, replicate.Canceled},
		{"starting", simulator.Faults{StartDelay: time.Minute}, "aborted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, c := newClientWith(t, simulator.Config{Faults: tc.faults}, headerTransport{"Cancel-After": "5s"})
			p, err := c.CreatePrediction(ctx, simulator.ChaosMonkeyVersion, replicate.PredictionInput{"sleep": 12}, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			// replicate-go's Wait does not know "aborted": poll by hand.
			poll(t, "the deadline", func() bool {
				if p, err = c.GetPrediction(ctx, p.ID); err != nil {
					t.Fatal(err)
				}
				return isDone(p.Status)
			})
			var raw struct {
				Deadline *string `json:"deadline"`
			}
			_ = json.Unmarshal(p.RawJSON(), &raw)
			created, _ := time.Parse(time.RFC3339Nano, p.CreatedAt)
			var completed time.Time
			if p.CompletedAt != nil {
				completed, _ = time.Parse(time.RFC3339Nano, *p.CompletedAt)
			}
			took := completed.Sub(created)
			if p.Status != tc.want || raw.Deadline == nil || took < 5*time.Second || took > 7*time.Second {
				t.Errorf("status %s, deadline %v, completed after %v; want %s at about 5 s", p.Status, raw.Deadline, took, tc.want)
			}
		})
	}
}

// poll calls done every 10 ms until it reports true, and fails the test
// after 15 s.
func poll(t *testing.T, what string, done func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(15 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 15 s", what)
		}
		<-tick.C
	}
}

// newClientWith is newClient with a transport of the test's.
func newClientWith(t *testing.T, cfg simulator.Config, rt http.RoundTripper) (*simulator.Simulator, *replicate.Client) {
	t.Helper()
	sim, _ := newClient(t, cfg)
	c, err := replicate.NewClient(replicate.WithToken(sim.Token()), replicate.WithBaseURL(sim.BaseURL()),
		replicate.WithHTTPClient(&http.Client{Transport: rt, Timeout: 10 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

func isDone(s replicate.Status) bool {
	return s == replicate.Succeeded || s == replicate.Failed || s == replicate.Canceled || s == "aborted"
}

// headerTransport adds headers to every request.
type headerTransport map[string]string

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}

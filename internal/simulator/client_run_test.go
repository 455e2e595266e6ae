package simulator_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/simulator"
)

// shortWait shortens replicate-go's "Prefer: wait" (60 s, not settable)
// to one second, so that a prediction of a few seconds outlasts it.
type shortWait struct{ seen atomic.Int32 }

func (s *shortWait) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Prefer") == "wait" {
		s.seen.Add(1)
		r = r.Clone(r.Context())
		r.Header.Set("Prefer", "wait=1")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestReplicateGoRunLongerThanWait: when Prefer: wait runs out, the answer
// is the prediction in "starting" state, so Run polls on and returns the
// output. With any other status Run would return at once, with no output.
func TestReplicateGoRunLongerThanWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim, err := simulator.New(simulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	base, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	tr := &shortWait{}
	c, err := replicate.NewClient(replicate.WithToken(sim.Token()), replicate.WithBaseURL(base),
		replicate.WithHTTPClient(&http.Client{Transport: tr, Timeout: 10 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.RunWithOptions(ctx, simulator.ChaosMonkeyModel+":"+simulator.ChaosMonkeyVersion,
		replicate.PredictionInput{"sleep": 1.5}, nil, replicate.WithBlockUntilDone())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	res, _ := out.(map[string]any)["result"].(map[string]any)
	if res["outcome"] != "success" || res["sleep"] != 1.5 {
		t.Errorf("Run output = %#v, want chaos-monkey's result", out)
	}
	if tr.seen.Load() != 1 {
		t.Errorf("%d calls with Prefer: wait, want 1", tr.seen.Load())
	}
}

func TestReplicateGoRunByName(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, c := newClient(t, simulator.Config{})

	// An official model runs by name, through the models route.
	out, err := c.Run(ctx, simulator.EchoModel, replicate.PredictionInput{"n": 42}, nil)
	if o, _ := out.(map[string]any); err != nil || o["n"] != 42.0 {
		t.Errorf("Run acme/echo: %#v, %v", out, err)
	}
	// A community model does not: 404 on the models route, as on Replicate,
	// and a version of owner/name without its hash is refused.
	_, err = c.Run(ctx, simulator.ChaosMonkeyModel, replicate.PredictionInput{}, nil)
	wantNotFound(t, "Run of a community model by name", err)
	_, err = c.CreatePrediction(ctx, simulator.ChaosMonkeyModel, replicate.PredictionInput{}, nil, false)
	var ae *replicate.APIError
	if !errors.As(err, &ae) || ae.Status != 422 || ae.Title != "Invalid version or not permitted" {
		t.Errorf("version %q: %v, want a 422", simulator.ChaosMonkeyModel, err)
	}

	// A failed prediction raises its error.
	_, err = c.Run(ctx, simulator.ChaosMonkeyModel+":"+simulator.ChaosMonkeyVersion, replicate.PredictionInput{"outcome": "error"}, nil)
	var me *replicate.ModelError
	if !errors.As(err, &me) || me.Prediction.Status != replicate.Failed || me.Prediction.Error != "chaos monkey: outcome=error requested" {
		t.Errorf("Run of a failing prediction: %v, want a ModelError", err)
	}
}

// stampRE is Replicate's time format: UTC, six fractional digits, "Z".
var stampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

// TestReplicateGoTimestamps: times carry six fractional digits, even on a
// whole second, so that fixed layouts such as Python's
// strptime("%Y-%m-%dT%H:%M:%S.%fZ") read them.
func TestReplicateGoTimestamps(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, c := newClient(t, simulator.Config{Now: steppingClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Second)})
	p, err := c.CreatePrediction(ctx, simulator.ChaosMonkeyVersion, replicate.PredictionInput{}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(ctx, p, replicate.WithPollingInterval(10*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if p.StartedAt == nil || p.CompletedAt == nil {
		t.Fatalf("times missing: %+v", p)
	}
	for _, s := range []string{p.CreatedAt, *p.StartedAt, *p.CompletedAt} {
		if !stampRE.MatchString(s) {
			t.Errorf("time %q is not as Replicate writes it", s)
		}
	}
	if p.CreatedAt != "2025-01-01T00:00:01.000000Z" {
		t.Errorf("created_at %q, want the clock's first reading", p.CreatedAt)
	}
}

// TestReplicateGoPaginate: replicate-go v0.26.0's Paginate appends the
// absolute "next" URL to the base URL, which fails on Replicate as here;
// the first page comes, then that error (read from both channels: Paginate
// deadlocks if its error is not taken while results are).
func TestReplicateGoPaginate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim, c := newClient(t, simulator.Config{})
	for range 101 {
		if _, err := c.CreatePredictionWithModel(ctx, "acme", "echo", replicate.PredictionInput{}, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	first, err := c.ListPredictions(ctx)
	if err != nil || len(first.Results) != 100 || first.Next == nil || first.Previous != nil {
		t.Fatalf("ListPredictions: %v", err)
	}
	if !strings.HasPrefix(*first.Next, sim.BaseURL()+"/predictions?") {
		t.Errorf("next %q is not an absolute URL of the simulator", *first.Next)
	}
	results, errs := replicate.Paginate(ctx, c, first)
	var pages int
	var perr error
	for results != nil || errs != nil {
		select {
		case r, ok := <-results:
			if !ok {
				results = nil
				continue
			}
			pages++
			if len(r) != 100 {
				t.Errorf("page %d has %d results", pages, len(r))
			}
		case e, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			perr = e
		}
	}
	if pages != 1 || perr == nil {
		t.Errorf("Paginate: %d pages, error %v; want the first page, then an error", pages, perr)
	}
}

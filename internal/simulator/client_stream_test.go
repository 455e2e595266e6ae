package simulator_test

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/simulator"
)

// readStream streams p through replicate-go's StreamPrediction, passes
// each event before "done" to each, and returns "done". It stops there:
// replicate-go v0.26.0 never closes its channels after "done".
func readStream(t *testing.T, ctx context.Context, c *replicate.Client, p *replicate.Prediction, each func(replicate.SSEEvent)) replicate.SSEEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, errs := c.StreamPrediction(ctx, p)
	for {
		select {
		case e := <-events:
			if e.Type == replicate.SSETypeDone {
				return e
			}
			each(e)
		case err := <-errs:
			t.Fatalf("stream error: %v", err)
		case <-ctx.Done():
			t.Fatal("the stream did not end")
		}
	}
}

// TestReplicateGoStream: replicate-go's StreamPrediction gets acme/stream's
// tokens in order, the first while the prediction is still running, and
// multi-line tokens whole; they are the prediction's output.
func TestReplicateGoStream(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim, c := newClient(t, simulator.Config{})
	in := replicate.PredictionInput{"prompt": "line one\nline two", "max_tokens": 30}
	p, err := c.CreatePredictionWithModel(ctx, "acme", "stream", in, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSuffix(sim.BaseURL(), "/v1") + "/v1/streams/" + p.ID; p.URLs["stream"] != want {
		t.Errorf("urls.stream %q, want %q", p.URLs["stream"], want)
	}
	var got []string
	done := readStream(t, ctx, c, p, func(e replicate.SSEEvent) {
		if e.Type != replicate.SSETypeOutput {
			t.Errorf("event %+v", e)
			return
		}
		if len(got) == 0 {
			now, err := c.GetPrediction(ctx, p.ID)
			if err != nil || now.Status != replicate.Processing {
				t.Errorf("at the first token the prediction is %v (%v), want processing", now.Status, err)
			}
		}
		got = append(got, e.Data)
	})
	if done.Data != "{}" || len(got) != 30 || got[0] != "You" || !slices.Contains(got, "\nline") {
		t.Errorf("streamed %q (done %v), want 30 tokens, a multi-line one among them", got, done)
	}
	if err := c.Wait(ctx, p, replicate.WithPollingInterval(10*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range p.Output.([]any) {
		out = append(out, v.(string))
	}
	if !slices.Equal(out, got) {
		t.Errorf("output %q, streamed %q", out, got)
	}

	// StreamPredictionText reads the same text; a second connection
	// replays the stream from the start.
	r, err := c.StreamPredictionText(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	text, err := io.ReadAll(r)
	if err != nil || string(text) != strings.Join(got, "") {
		t.Errorf("StreamPredictionText: %q, %v", text, err)
	}
	if !strings.HasPrefix(string(text), "You said: line one\nline two\n") {
		t.Errorf("text %q", text)
	}

	// Its Output schema says so, as streaming language models do.
	m, err := c.GetModel(ctx, "acme", "stream")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Components struct {
			Schemas struct {
				Output map[string]any `json:"Output"`
			} `json:"schemas"`
		} `json:"components"`
	}
	raw, _ := json.Marshal(m.LatestVersion.OpenAPISchema)
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	if o := schema.Components.Schemas.Output; o["type"] != "array" || o["x-cog-array-type"] != "iterator" || o["x-cog-array-display"] != "concatenate" {
		t.Errorf("acme/stream's Output schema %v", o)
	}
}

// TestReplicateGoStreamCanceled: a model that does not stream has no
// urls.stream, and replicate-go says so; a canceled stream ends with done.
func TestReplicateGoStreamCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, c := newClient(t, simulator.Config{})
	echo, err := c.CreatePredictionWithModel(ctx, "acme", "echo", replicate.PredictionInput{}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := echo.URLs["stream"]; ok {
		t.Errorf("acme/echo has urls.stream %q", echo.URLs["stream"])
	}
	p, err := c.CreatePredictionWithModel(ctx, "acme", "stream", replicate.PredictionInput{"prompt": "x", "max_tokens": 1000}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	var outputs int
	done := readStream(t, ctx, c, p, func(e replicate.SSEEvent) {
		if outputs++; outputs == 1 {
			if _, err := c.CancelPrediction(ctx, p.ID); err != nil {
				t.Error(err)
			}
		}
	})
	if done.Data != `{"reason":"canceled"}` {
		t.Errorf("done %q, want the canceled reason", done.Data)
	}
	if outputs == 0 || outputs >= 1000 {
		t.Errorf("%d outputs before the end of a canceled stream", outputs)
	}
}

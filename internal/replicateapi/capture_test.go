package replicateapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/replicate/replicate-go"
)

// TestCaptureCreatedWhenDecodingFails creates a prediction whose echoed
// input holds a number float64 cannot, which replicate-go fails to decode:
// the id of what was created must still be known.
func TestCaptureCreatedWhenDecodingFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"p_huge","status":"starting","input":{"x":1e400},"urls":{}}`)
	}))
	defer srv.Close()
	c, err := NewClient(Config{Token: "t", BaseURL: srv.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, created := CaptureCreated(context.Background())
	_, err = c.CreatePrediction(ctx, "v", replicate.PredictionInput{"x": 1}, nil, false)
	if err == nil {
		t.Fatal("replicate-go decoded 1e400; this test no longer shows the problem")
	}
	if got := created.ID(); got != "p_huge" {
		t.Errorf("captured id %q, want p_huge", got)
	}
}

func TestCaptureOnlyCreates(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/predictions" && r.Method == http.MethodPost {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"id":"not-a-prediction","title":"Invalid version or not permitted","status":422}`)
			return
		}
		io.WriteString(w, `{"id":"p_1","status":"succeeded","urls":{}}`)
	}))
	defer srv.Close()
	c, err := NewClient(Config{Token: "t", BaseURL: srv.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, created := CaptureCreated(context.Background())
	if _, err := c.GetPrediction(ctx, "p_1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePrediction(ctx, "v", nil, nil, false); err == nil {
		t.Fatal("a 422 was not an error")
	}
	if got := created.ID(); got != "" {
		t.Errorf("captured %q from a GET or a refused create", got)
	}
	p, err := c.GetPrediction(context.Background(), "p_1")
	if err != nil || p.ID != "p_1" {
		t.Errorf("uncaptured GET = %+v, %v", p, err)
	}
}

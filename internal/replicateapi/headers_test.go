package replicateapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFormatCancelAfter(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Second:                      "5s",
		30 * time.Second:                     "30s",
		5 * time.Minute:                      "5m",
		90 * time.Minute:                     "1h30m",
		time.Hour + 2*time.Second:            "1h2s",
		5*time.Second + time.Millisecond:     "6s", // rounded up: never earlier than asked
		26 * time.Hour:                       "26h",
		2*time.Minute + 500*time.Microsecond: "2m1s",
	} {
		if got := FormatCancelAfter(d); got != want {
			t.Errorf("FormatCancelAfter(%s) = %q, want %q", d, got, want)
		}
	}
}

// Cancel-After goes on create calls only, and upload progress counts the
// body of a files call.
func TestContextHeadersAndProgress(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Method+" "+r.URL.Path] = r.Header.Get("Cancel-After")
		mu.Unlock()
		switch r.URL.Path {
		case "/v1/files":
			w.Write([]byte(`{"id":"f1","urls":{"get":"http://x/f1"}}`))
		case "/v1/predictions":
			w.Write([]byte(`{"id":"p1","status":"starting"}`))
		default:
			w.Write([]byte(`{"id":"p1","status":"starting"}`))
		}
	}))
	defer srv.Close()
	c, err := NewClient(Config{Token: "t", BaseURL: srv.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithCancelAfter(context.Background(), 90*time.Second)
	if _, err := c.CreatePrediction(ctx, strings.Repeat("a", 64), nil, nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetPrediction(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	var sent, total int64
	pctx := WithUploadProgress(ctx, func(s, t int64) { sent, total = s, t })
	if _, err := c.CreateFileFromBytes(pctx, []byte("hello"), nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := seen["POST /v1/predictions"]; got != "1m30s" {
		t.Errorf("create call Cancel-After %q, want 1m30s", got)
	}
	if got := seen["GET /v1/predictions/p1"]; got != "" {
		t.Errorf("get call Cancel-After %q, want none", got)
	}
	if got := seen["POST /v1/files"]; got != "" {
		t.Errorf("files call Cancel-After %q, want none", got)
	}
	if sent == 0 || sent != total {
		t.Errorf("upload progress %d of %d, want all of a non-zero body", sent, total)
	}
}

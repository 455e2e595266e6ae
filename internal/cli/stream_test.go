package cli

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/replicateapi"
)

// signalWriter records writes and signals each one.
type signalWriter struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// Tokens are printed as they arrive: the server sends the done event only
// once the first token has been written out.
func TestStreamPrinterPrintsTokensAsTheyCome(t *testing.T) {
	out := &signalWriter{wrote: make(chan struct{}, 1)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("the stream request carried the API token")
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: output\nid: 0\ndata: Hello\n\n")
		w.(http.Flusher).Flush()
		<-out.wrote                                            // notifier printed it before the stream went on
		fmt.Fprint(w, "event: output\nid: 0\ndata: Hello\n\n") // a replay: skipped
		fmt.Fprint(w, "event: output\nid: 1\ndata: ,\ndata: world\n\n")
		fmt.Fprint(w, "event: done\ndata: {}\n\n")
	}))
	defer srv.Close()
	c, err := replicateapi.NewClient(replicateapi.Config{Token: "secret", BaseURL: srv.URL + "/v1", Timeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	sp := &streamPrinter{client: c, out: out}
	p := &replicate.Prediction{ID: "p", URLs: map[string]string{"stream": srv.URL + "/stream"}}
	if err := sp.start(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	<-sp.done
	if err := sp.finish(); err != nil {
		t.Fatalf("finish: %v", err)
	}
	p.Output = []any{"Hello", ",\nworld"}
	if !sp.complete(p) {
		t.Errorf("complete = false, want the printed output whole")
	}
	if got := out.String(); got != "Hello,\nworld\n" {
		t.Errorf("printed %q", got)
	}
}

// A stream that broke off is completed from the final output, when what
// was printed is its beginning; otherwise report prints it whole.
func TestStreamPrinterComplete(t *testing.T) {
	var b bytes.Buffer
	sp := &streamPrinter{out: &b, err: fmt.Errorf("EOF")}
	sp.write("Hello")
	if !sp.complete(&replicate.Prediction{Output: []any{"Hello", " world"}}) || b.String() != "Hello world\n" {
		t.Errorf("completed to %q", b.String())
	}
	b.Reset()
	sp = &streamPrinter{out: &b, err: fmt.Errorf("EOF")}
	sp.write("Bye")
	if sp.complete(&replicate.Prediction{Output: []any{"Hello"}}) {
		t.Errorf("complete = true for an output that does not start with what was printed")
	}
	if err := (&streamPrinter{}).start(t.Context(), &replicate.Prediction{}); err != errNoStream {
		t.Errorf("start without urls.stream: %v, want errNoStream", err)
	}
}

func TestOutputStreams(t *testing.T) {
	schema := func(out map[string]any) any {
		return map[string]any{"components": map[string]any{"schemas": map[string]any{"Output": out}}}
	}
	for _, tt := range []struct {
		schema        any
		streams, know bool
	}{
		{schema(map[string]any{"type": "array", "x-cog-array-type": "iterator"}), true, true},
		{schema(map[string]any{"type": "array"}), false, true},
		{map[string]any{}, false, false},
		{nil, false, false},
	} {
		s, k := outputStreams(tt.schema)
		if s != tt.streams || k != tt.know {
			t.Errorf("outputStreams(%v) = %v, %v; want %v, %v", tt.schema, s, k, tt.streams, tt.know)
		}
	}
}

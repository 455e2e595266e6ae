package replicateapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scriptedReply is one answer of a scriptedServer.
type scriptedReply struct {
	status     int
	retryAfter string // Retry-After header; "" = none
}

// scriptedServer answers each request with the next reply of its script (the
// last one repeats) and records the bodies it received.
type scriptedServer struct {
	*httptest.Server
	mu     sync.Mutex
	script []scriptedReply
	bodies []string
}

func newScriptedServer(t *testing.T, script ...scriptedReply) *scriptedServer {
	t.Helper()
	s := &scriptedServer{script: script}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *scriptedServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	reply := s.script[min(len(s.bodies), len(s.script)-1)]
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	if reply.retryAfter != "" {
		w.Header().Set("Retry-After", reply.retryAfter)
	}
	w.WriteHeader(reply.status)
	io.WriteString(w, `{"ok":true}`)
}

// received returns the bodies of the requests so far.
func (s *scriptedServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

func newTestRetryTransport() *retryTransport {
	return &retryTransport{base: http.DefaultTransport, maxAttempts: 3, baseDelay: time.Millisecond}
}

func TestRetryTransport(t *testing.T) {
	const payload = `{"version":"v","input":{"prompt":"a cat"}}`
	tests := []struct {
		name         string
		method       string
		script       []scriptedReply
		wantStatus   int
		wantAttempts int
	}{
		{"POST retried on 429, body intact", http.MethodPost,
			[]scriptedReply{{429, "0"}, {429, "0"}, {200, ""}}, 200, 3},
		{"GET retried on 500", http.MethodGet,
			[]scriptedReply{{500, ""}, {200, ""}}, 200, 2},
		{"GET retried on 503", http.MethodGet,
			[]scriptedReply{{503, "0"}, {200, ""}}, 200, 2},
		{"POST not retried on 500", http.MethodPost,
			[]scriptedReply{{500, ""}, {200, ""}}, 500, 1},
		{"not retried on 4xx", http.MethodGet,
			[]scriptedReply{{422, ""}, {200, ""}}, 422, 1},
		{"gives up after maxAttempts", http.MethodPost,
			[]scriptedReply{{429, "0"}}, 429, 3},
		{"Retry-After as a past HTTP date", http.MethodPost,
			[]scriptedReply{{429, "Mon, 02 Jan 2006 15:04:05 GMT"}, {200, ""}}, 200, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptedServer(t, tt.script...)
			var body io.Reader
			want := ""
			if tt.method == http.MethodPost {
				body, want = bytes.NewBufferString(payload), payload
			}
			req, err := http.NewRequestWithContext(context.Background(), tt.method, srv.URL+"/v1/predictions", body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := newTestRetryTransport().RoundTrip(req)
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if ra := resp.Header.Get("Retry-After"); ra != "" {
				t.Errorf("Retry-After %q passed on; replicate-go would sleep on it", ra)
			}
			got := srv.received()
			if len(got) != tt.wantAttempts {
				t.Errorf("%d attempts, want %d", len(got), tt.wantAttempts)
			}
			for i, b := range got {
				if b != want {
					t.Errorf("attempt %d body %q, want %q", i+1, b, want)
				}
			}
		})
	}
}

// onceBodyReader is a body that cannot be rewound (no GetBody).
type onceBodyReader struct{ io.Reader }

func TestRetryTransportBodyNotRewindable(t *testing.T) {
	srv := newScriptedServer(t, scriptedReply{429, "5"}, scriptedReply{200, ""})
	req, err := http.NewRequest(http.MethodPost, srv.URL, onceBodyReader{strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	if req.GetBody != nil {
		t.Fatal("test request unexpectedly rewindable")
	}
	resp, err := newTestRetryTransport().RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 429 || len(srv.received()) != 1 {
		t.Errorf("status %d after %d attempts, want 429 after 1", resp.StatusCode, len(srv.received()))
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		t.Errorf("Retry-After %q passed on; replicate-go would sleep on it, ignoring the context", ra)
	}
}

// roundTripperFunc adapts a function to http.RoundTripper.
type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRetryTransportCanceledWhileWaiting cancels the context while the
// transport waits out a 30 s Retry-After: it must return an error then.
func TestRetryTransportCanceledWhileWaiting(t *testing.T) {
	srv := newScriptedServer(t, scriptedReply{429, "30"}, scriptedReply{200, ""})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	var calls atomic.Int32
	answered := make(chan struct{})
	base := roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		resp, err := http.DefaultTransport.RoundTrip(r)
		once.Do(func() { close(answered) })
		return resp, err
	})
	go func() {
		<-answered
		cancel()
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	rt := &retryTransport{base: base, maxAttempts: 3, baseDelay: time.Millisecond}
	resp, err := rt.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("RoundTrip = %d, nil; want an error", resp.StatusCode)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	// A transport that slept through the cancellation would try again.
	if n := calls.Load(); n != 1 {
		t.Errorf("%d attempts, want 1: the wait did not end with the context", n)
	}
}

func TestRetryDelay(t *testing.T) {
	const fallback = 7 * time.Millisecond
	tests := []struct {
		retryAfter string
		want       time.Duration
	}{
		{"", fallback},
		{"0", 0},
		{"2", 2 * time.Second},
		{"3600", time.Minute},
		{"-1", fallback},
		{"soon", fallback},
		{"Mon, 02 Jan 2006 15:04:05 GMT", 0},
		{"Fri, 31 Dec 9999 23:59:59 GMT", time.Minute},
	}
	for _, tt := range tests {
		resp := &http.Response{Header: http.Header{}}
		if tt.retryAfter != "" {
			resp.Header.Set("Retry-After", tt.retryAfter)
		}
		if got := retryDelay(resp, fallback); got != tt.want {
			t.Errorf("retryDelay(Retry-After %q) = %v, want %v", tt.retryAfter, got, tt.want)
		}
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		method string
		status int
		want   bool
	}{
		{http.MethodGet, 429, true},
		{http.MethodPost, 429, true},
		{http.MethodGet, 500, true},
		{http.MethodGet, 502, true},
		{http.MethodPost, 500, false},
		{http.MethodPost, 503, false},
		{http.MethodGet, 200, false},
		{http.MethodGet, 404, false},
	}
	for _, tt := range tests {
		if got := retryable(tt.method, tt.status); got != tt.want {
			t.Errorf("retryable(%s, %d) = %v, want %v", tt.method, tt.status, got, tt.want)
		}
	}
}

func TestObserve(t *testing.T) {
	srv := newScriptedServer(t, scriptedReply{401, ""})
	ctx, o := Observe(context.Background())
	if got := o.Describe(); got != "no answer from the API" {
		t.Errorf("describe before any call = %q", got)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := newTestRetryTransport().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := o.Describe(), "the API answered HTTP 401 Unauthorized"; got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
}

package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const (
	testToken  = "r8_test_token"
	testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	waitLimit  = 10 * time.Second
)

// startSim starts a simulator on loopback and closes it when the test ends.
func startSim(t *testing.T, cfg Config) (*Simulator, string) {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	if cfg.Secret == "" {
		cfg.Secret = testSecret
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, base
}

// call makes an authenticated API call and returns status, headers and body.
func call(t *testing.T, method, url string, body any, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

// object decodes a JSON object.
func object(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return m
}

// create posts a prediction and fails the test unless it is created.
func create(t *testing.T, base string, body any, hdr map[string]string) map[string]any {
	t.Helper()
	code, _, out := call(t, "POST", base+"/predictions", body, hdr)
	if code != http.StatusCreated {
		t.Fatalf("create: status %d: %s", code, out)
	}
	return object(t, out)
}

// waitTerminal polls the simulator until prediction id is terminal.
func waitTerminal(t *testing.T, s *Simulator, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		raw, ok := s.Prediction(id)
		if !ok {
			t.Fatalf("prediction %s unknown", id)
		}
		p := object(t, raw)
		if isTerminal(p["status"].(string)) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("prediction %s still %v after %v", id, p["status"], waitLimit)
		}
		<-tick.C
	}
}

// delivery is one webhook request as a receiver saw it.
type delivery struct {
	Header http.Header
	Body   []byte
	At     time.Time
}

// receiver is a webhook endpoint that records deliveries on a channel.
type receiver struct {
	URL string
	ch  chan delivery
	mu  sync.Mutex
	n   int
}

// newReceiver starts an endpoint; answer gives the status for the n-th
// request (from 1); nil answers 200.
func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	t.Helper()
	r := &receiver{ch: make(chan delivery, 1000)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.n++
		n := r.n
		r.mu.Unlock()
		r.ch <- delivery{Header: req.Header.Clone(), Body: body, At: time.Now()}
		code := http.StatusOK
		if answer != nil {
			code = answer(n)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/hook?token=abc"
	return r
}

// next returns the next delivery or fails the test after waitLimit.
func (r *receiver) next(t *testing.T) delivery {
	t.Helper()
	select {
	case d := <-r.ch:
		return d
	case <-time.After(waitLimit):
		t.Fatalf("no webhook within %v", waitLimit)
		return delivery{}
	}
}

// until collects deliveries up to and including the first whose prediction
// is terminal.
func (r *receiver) until(t *testing.T) []delivery {
	t.Helper()
	var got []delivery
	for {
		d := r.next(t)
		got = append(got, d)
		if isTerminal(object(t, d.Body)["status"].(string)) {
			return got
		}
	}
}

// none checks that no delivery is pending right now.
func (r *receiver) none(t *testing.T) {
	t.Helper()
	select {
	case d := <-r.ch:
		t.Fatalf("unexpected webhook: %s", d.Body)
	default:
	}
}

// eventLog collects Events safely.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) add(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.events...)
}

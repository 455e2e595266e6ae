package listener

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// bigPrediction returns a prediction body of exactly n bytes (n >= 64).
func bigPrediction(id string, n int) string {
	head := `{"id":"` + id + `","status":"succeeded","output":"`
	return head + strings.Repeat("x", n-len(head)-2) + `"}`
}

// chunked makes r's body of unknown length, as a chunked request's is.
func chunked(r *http.Request) *http.Request {
	r.Body = io.NopCloser(struct{ io.Reader }{r.Body})
	r.ContentLength = -1
	return r
}

// waitBudget polls until the listener holds want bytes of body budget.
func waitBudget(t *testing.T, l *Listener, want int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		used, _ := l.budget.stats()
		if used == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("body budget in use %d, want %d", used, want)
		}
		runtime.Gosched()
	}
}

// TestRejectedBodiesKeepOnlyAPrefix: with OnDelivery blocked, large bodies
// with bad signatures are answered and queued, but keep only a prefix and
// hold no body budget.
func TestRejectedBodiesKeepOnlyAPrefix(t *testing.T) {
	gate := make(chan struct{})
	got := make(chan Delivery, 100)
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret), OnDelivery: func(d Delivery) {
		got <- d
		<-gate
	}}, nil)
	defer close(gate)
	serve(l, signedRequest(t, goodSecret, "m0", testNow, predictionBody))
	<-got // OnDelivery now holds m0, blocked

	const size = 1 << 20
	body := bigPrediction("p_big", size)
	for i := range 20 {
		r := signedRequest(t, otherSecret, fmt.Sprint("bad", i), testNow, body)
		if i%2 == 1 {
			r = chunked(r)
		}
		if w := serve(l, r); w.Code != http.StatusUnauthorized {
			t.Fatalf("bad%d: status %d", i, w.Code)
		}
	}
	if used, _ := l.budget.stats(); used != int64(len(predictionBody)) {
		t.Fatalf("budget in use %d after the rejections, want only m0's %d", used, len(predictionBody))
	}
	for i := range 20 {
		gate <- struct{}{}
		d := <-got
		if d.Verdict != Rejected || !d.Truncated || d.Size != size || len(d.Body) != BodyPrefixBytes ||
			cap(d.Body) != BodyPrefixBytes || !strings.HasPrefix(body, string(d.Body)) {
			t.Fatalf("delivery %d: %s, Size %d, Truncated %v, Body %d bytes (cap %d)",
				i, d.Verdict, d.Size, d.Truncated, len(d.Body), cap(d.Body))
		}
	}
	gate <- struct{}{}
	waitBudget(t, l, 0)
}

func TestDuplicateKeepsAPrefixAndASummary(t *testing.T) {
	rec := newRecorder()
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret)}, rec)
	body := bigPrediction("p_big", 100<<10)
	for _, want := range []Verdict{Verified, Duplicate} {
		serve(l, signedRequest(t, goodSecret, "msg_big", testNow, body))
		d := rec.next(t)
		if d.Verdict != want || d.Prediction == nil || d.Prediction.ID != "p_big" || d.Prediction.Status != "succeeded" {
			t.Fatalf("%s: verdict %s, prediction %+v", want, d.Verdict, d.Prediction)
		}
		full, err := d.Decode()
		if whole := want == Verified; whole != (len(d.Body) == len(body)) || whole == d.Truncated ||
			whole != (err == nil && len(full.RawJSON()) == len(body)) {
			t.Fatalf("%s: Body %d bytes, Truncated %v, Decode error %v", want, len(d.Body), d.Truncated, err)
		}
	}
}

// TestAcceptedKeepWholeBody covers bodies of known and unknown length, up
// to the limit exactly, and the 413 past it.
func TestAcceptedKeepWholeBody(t *testing.T) {
	const limit = 1 << 20
	body := bigPrediction("p_big", limit)
	for _, tt := range []struct {
		name    string
		max     int64
		chunked bool
		status  int
	}{
		{"sized", limit, false, 200},
		{"chunked", limit, true, 200},
		{"sized too large", limit - 1, false, 413},
		{"chunked too large", limit - 1, true, 413},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			l := newTestListener(t, Config{Secret: testSecret(t, goodSecret), MaxBodyBytes: tt.max}, rec)
			r := signedRequest(t, goodSecret, "m1", testNow, body)
			if tt.chunked {
				r = chunked(r)
			}
			if w := serve(l, r); w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			d := rec.next(t)
			if tt.status == 413 {
				if d.Body != nil || d.Size != tt.max || !d.Truncated {
					t.Fatalf("413: Body %d bytes, Size %d, Truncated %v", len(d.Body), d.Size, d.Truncated)
				}
				return
			}
			if string(d.Body) != body || d.Size != limit || d.Truncated || !decodesTo(d, body) {
				t.Fatalf("Body %d bytes, Size %d, Truncated %v", len(d.Body), d.Size, d.Truncated)
			}
			if _, peak := l.budget.stats(); peak > 2*limit {
				t.Fatalf("peak budget %d for one %d-byte body", peak, limit)
			}
			waitBudget(t, l, 0) // released once OnDelivery returned
		})
	}
}

// blockedRequest serves a request whose body of size bytes arrives only when
// the returned function is called; the answer comes on the channel.
func blockedRequest(t *testing.T, l *Listener, id, body string) (func(), <-chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	r := httptest.NewRequest(http.MethodPost, testPath, pr)
	r.ContentLength = int64(len(body))
	testSecret(t, goodSecret).SignHeaders(r.Header, id, testNow, []byte(body))
	answered := make(chan int, 1)
	go func() { answered <- serve(l, r).Code }()
	return func() { _, _ = io.WriteString(pw, body); pw.Close() }, answered
}

func TestBudgetExhausted(t *testing.T) {
	const max = 64 << 10
	rec := newRecorder()
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret), MaxBodyBytes: max, MaxBufferedBytes: 2 * max}, rec)
	finish1, answered1 := blockedRequest(t, l, "slow1", bigPrediction("p1", max))
	finish2, answered2 := blockedRequest(t, l, "slow2", bigPrediction("p2", max))
	waitBudget(t, l, 2*max) // both bodies reserved, being read

	for _, r := range []*http.Request{
		signedRequest(t, goodSecret, "m1", testNow, predictionBody),
		chunked(signedRequest(t, goodSecret, "m2", testNow, predictionBody)),
	} {
		w := serve(l, r)
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" || w.Body.String() != "busy\n" {
			t.Fatalf("answer %d %q Retry-After %q, want 503 busy", w.Code, w.Body, w.Header().Get("Retry-After"))
		}
		if d := rec.next(t); d.Verdict != Rejected || d.Reason != "busy" || d.Body != nil || d.Size != 0 {
			t.Fatalf("delivery %s %q, Body %d bytes, Size %d", d.Verdict, d.Reason, len(d.Body), d.Size)
		}
	}

	finish1()
	if code := <-answered1; code != http.StatusOK {
		t.Fatalf("slow1: status %d", code)
	}
	rec.next(t)
	waitBudget(t, l, max)
	// A chunked body grows into the half that is free, then cannot double
	// again: 32 KiB held and 64 KiB more needed.
	w := serve(l, chunked(signedRequest(t, goodSecret, "m3", testNow, bigPrediction("p3", 40<<10))))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("chunked: status %d, want 503", w.Code)
	}
	if d := rec.next(t); d.Reason != "busy" || d.Size != 32<<10 || !d.Truncated || len(d.Body) != BodyPrefixBytes {
		t.Fatalf("chunked: %q, Size %d, Truncated %v, Body %d bytes", d.Reason, d.Size, d.Truncated, len(d.Body))
	}

	finish2()
	if code := <-answered2; code != http.StatusOK {
		t.Fatalf("slow2: status %d", code)
	}
	rec.next(t)
	waitBudget(t, l, 0)
	// The reservations were released: the same requests now succeed.
	if w := serve(l, signedRequest(t, goodSecret, "m1", testNow, predictionBody)); w.Code != http.StatusOK {
		t.Fatalf("after release: status %d", w.Code)
	}
	if w := serve(l, chunked(signedRequest(t, goodSecret, "m3", testNow, bigPrediction("p3", 40<<10)))); w.Code != http.StatusOK {
		t.Fatalf("chunked after release: status %d", w.Code)
	}
	if _, peak := l.budget.stats(); peak > 2*max {
		t.Fatalf("peak budget %d > limit %d", peak, 2*max)
	}
}

// TestSmallDeliveriesNeverBusy: thousands of 2 KiB deliveries from 200
// senders at once, with OnDelivery blocked so that the queue fills, never
// exhaust the default budget: only "queue full" refuses them.
func TestSmallDeliveriesNeverBusy(t *testing.T) {
	gate := make(chan struct{})
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret), OnDelivery: func(Delivery) { <-gate }}, nil)
	defer close(gate)
	reasons := make(chan string, 200*10)
	done := make(chan struct{})
	for g := range 200 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 10 {
				id := fmt.Sprintf("m%d_%d", g, i)
				w := serve(l, signedRequest(t, goodSecret, id, testNow, bigPrediction(id, 2<<10)))
				reasons <- fmt.Sprint(w.Code, " ", strings.TrimSpace(w.Body.String()))
			}
		}()
	}
	for range 200 {
		<-done
	}
	close(reasons)
	counts := map[string]int{}
	for r := range reasons {
		counts[r]++
	}
	if counts["503 busy"] != 0 || counts["200 ok"] < DefaultQueueSize {
		t.Fatalf("answers %v: want no busy, and at least a queue's worth of 200s", counts)
	}
	if used, peak := l.budget.stats(); peak > l.cfg.MaxBufferedBytes || used > int64(DefaultQueueSize+1)*2<<10 {
		t.Fatalf("budget in use %d, peak %d", used, peak)
	}
}

// decodesTo reports whether d decodes to the whole prediction body.
func decodesTo(d Delivery, body string) bool {
	p, err := d.Decode()
	return err == nil && string(p.RawJSON()) == body
}

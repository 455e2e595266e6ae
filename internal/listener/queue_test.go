package listener

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func TestQueueFull(t *testing.T) {
	gate := make(chan struct{})
	got := make(chan Delivery, 10)
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret), QueueSize: 1, OnDelivery: func(d Delivery) {
		got <- d
		<-gate
	}}, nil)
	defer close(gate) // runs before the Cleanup's Close if the test fails early

	if w := serve(l, signedRequest(t, goodSecret, "m1", testNow, predictionBody)); w.Code != 200 {
		t.Fatalf("m1: status %d", w.Code)
	}
	if d := <-got; d.WebhookID != "m1" { // the worker now holds m1, blocked
		t.Fatalf("first delivery %q", d.WebhookID)
	}
	if w := serve(l, signedRequest(t, goodSecret, "m2", testNow, predictionBody)); w.Code != 200 {
		t.Fatalf("m2: status %d", w.Code) // m2 fills the queue
	}
	w := serve(l, signedRequest(t, goodSecret, "m3", testNow, predictionBody))
	if w.Code != http.StatusServiceUnavailable || w.Body.String() != "queue full\n" {
		t.Fatalf("m3: answer %d %q, want 503 queue full", w.Code, w.Body)
	}
	gate <- struct{}{} // release m1
	if d := <-got; d.WebhookID != "m2" {
		t.Fatalf("second delivery %q, want m2 (m3's rejection is dropped)", d.WebhookID)
	}
	gate <- struct{}{} // release m2
	// The retry of m3 is processed: the 503 did not mark it as seen.
	if w := serve(l, signedRequest(t, goodSecret, "m3", testNow, predictionBody)); w.Code != 200 {
		t.Fatalf("m3 retry: status %d", w.Code)
	}
	if d := <-got; d.WebhookID != "m3" || d.Verdict != Verified {
		t.Fatalf("third delivery %q %q, want m3 verified", d.WebhookID, d.Verdict)
	}
}

func TestClosedListenerAnswers503(t *testing.T) {
	rec := newRecorder()
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret)}, rec)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	w := serve(l, signedRequest(t, goodSecret, "m1", testNow, predictionBody))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", w.Code)
	}
	if n := len(rec.all()); n != 0 {
		t.Fatalf("%d deliveries reported after Close", n)
	}
}

// TestMaxAccepted: a burst of deliveries past MaxAccepted gets 503, never
// a 200 for a delivery the consumer will not see.
func TestMaxAccepted(t *testing.T) {
	rec := newRecorder()
	l, err := New(Config{Secret: testSecret(t, goodSecret), Path: testPath, MaxAccepted: 3, Now: func() time.Time { return testNow }, OnDelivery: rec.onDelivery})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	codes := make(chan int, 10)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			w := httptest.NewRecorder()
			l.ServeHTTP(w, signedRequest(t, goodSecret, fmt.Sprintf("msg_%d", i), testNow, predictionBody))
			codes <- w.Code
		})
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[200] != 3 || got[503] != 7 {
		t.Errorf("answers %v, want 3 × 200 and 7 × 503", got)
	}
	// A retry of an accepted delivery is still a duplicate, answered 200;
	// the others are still refused.
	retried := 0
	for i := range 10 {
		w := httptest.NewRecorder()
		l.ServeHTTP(w, signedRequest(t, goodSecret, fmt.Sprintf("msg_%d", i), testNow, predictionBody))
		if w.Code == 200 {
			retried++
		}
	}
	if retried != 3 {
		t.Errorf("%d retries answered 200, want the 3 accepted ones", retried)
	}
	l.Close()
	accepted := 0
	for _, d := range rec.all() {
		if d.Accepted() {
			accepted++
		} else if d.Verdict == Rejected && d.Reason != "closing" {
			t.Errorf("unexpected rejection %q", d.Reason)
		}
	}
	if accepted != 3 {
		t.Errorf("%d accepted deliveries reached OnDelivery, want 3", accepted)
	}
}

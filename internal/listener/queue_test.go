package listener

import (
	"net/http"
	"testing"
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

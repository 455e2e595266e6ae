package listener

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDuplicateProcessedOnce(t *testing.T) {
	rec := newRecorder()
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret)}, rec)
	// A retry keeps the webhook-id and carries a fresh timestamp and
	// signature (REPLICATE.md §4).
	for i, want := range []Verdict{Verified, Duplicate, Duplicate} {
		ts := testNow.Add(time.Duration(-i) * time.Minute)
		w := serve(l, signedRequest(t, goodSecret, "msg_dup", ts, predictionBody))
		if w.Code != http.StatusOK {
			t.Fatalf("attempt %d: status %d", i, w.Code)
		}
		d := rec.next(t)
		if d.Verdict != want || d.Accepted() != (want == Verified) {
			t.Fatalf("attempt %d: verdict %q, want %q", i, d.Verdict, want)
		}
		if want == Duplicate && (d.Reason != "duplicate" || d.Status != http.StatusOK) {
			t.Errorf("duplicate delivery = %d %q", d.Status, d.Reason)
		}
	}
}

func TestRejectedDoesNotPoisonDedup(t *testing.T) {
	rec := newRecorder()
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret)}, rec)
	if w := serve(l, signedRequest(t, otherSecret, "msg_x", testNow, predictionBody)); w.Code != 401 {
		t.Fatalf("forged: status %d", w.Code)
	}
	if d := rec.next(t); d.Verdict != Rejected {
		t.Fatalf("forged: verdict %q", d.Verdict)
	}
	if w := serve(l, signedRequest(t, goodSecret, "msg_x", testNow, predictionBody)); w.Code != 200 {
		t.Fatalf("genuine: status %d", w.Code)
	}
	if d := rec.next(t); d.Verdict != Verified {
		t.Fatalf("genuine: verdict %q, want verified", d.Verdict)
	}
}

func TestSkipVerifyWithoutIDIsNotDeduplicated(t *testing.T) {
	rec := newRecorder()
	l := newTestListener(t, Config{SkipVerify: true}, rec)
	for i := range 2 {
		r := httptest.NewRequest(http.MethodPost, testPath, strings.NewReader(predictionBody))
		if w := serve(l, r); w.Code != 200 {
			t.Fatalf("request %d: status %d", i, w.Code)
		}
		if d := rec.next(t); d.Verdict != Unverified {
			t.Fatalf("request %d: verdict %q", i, d.Verdict)
		}
	}
}

func TestDedupEvictsOldest(t *testing.T) {
	d := newDedup(2)
	for _, id := range []string{"a", "b", "c"} {
		d.add(id)
	}
	if d.has("a") || !d.has("b") || !d.has("c") {
		t.Fatalf("after a,b,c with size 2: a=%v b=%v c=%v", d.has("a"), d.has("b"), d.has("c"))
	}
	d.add("c") // re-adding does not evict
	if !d.has("b") || len(d.ids) != 2 {
		t.Fatalf("re-add evicted: %v", d.ids)
	}

	rec := newRecorder()
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret), DedupSize: 1}, rec)
	for _, id := range []string{"m1", "m2", "m1"} {
		serve(l, signedRequest(t, goodSecret, id, testNow, predictionBody))
		if got := rec.next(t); got.Verdict != Verified {
			t.Fatalf("%s: verdict %q after eviction", id, got.Verdict)
		}
	}
}

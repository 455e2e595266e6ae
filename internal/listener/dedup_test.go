package listener

import (
	"fmt"
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
	// signature, as the simulator's retries do (internal/simulator/deliver.go).
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

// TestLateRetryIsDuplicate covers a retry that comes after many newer
// deliveries and most of an hour later: it is still a duplicate.
func TestLateRetryIsDuplicate(t *testing.T) {
	now := testNow
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret), Now: func() time.Time { return now },
		QueueSize: 20000}, nil) // never full, however slow the worker
	send := func(id string) *httptest.ResponseRecorder {
		return serve(l, signedRequest(t, goodSecret, id, now, predictionBody))
	}
	send("msg_late")
	for i := range 15000 {
		if w := send(fmt.Sprint("msg_", i)); w.Code != http.StatusOK {
			t.Fatalf("msg_%d: status %d", i, w.Code)
		}
	}
	if w := send("msg_late"); w.Body.String() != "ok (duplicate)\n" {
		t.Fatalf("retry after 15,000 newer ids: %q, want a duplicate", w.Body)
	}
	now = now.Add(59 * time.Minute)
	if w := send("msg_late"); w.Body.String() != "ok (duplicate)\n" {
		t.Fatalf("retry after 59 minutes: %q, want a duplicate", w.Body)
	}
}

func TestDedupWindowAndBound(t *testing.T) {
	now := testNow
	rec := newRecorder()
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret), Now: func() time.Time { return now },
		DedupWindow: 8 * time.Minute, DedupMaxIDs: 100}, rec)
	verdict := func(id string) Verdict {
		serve(l, signedRequest(t, goodSecret, id, now, predictionBody))
		return rec.next(t).Verdict
	}
	if v := verdict("m1"); v != Verified {
		t.Fatalf("m1: %q", v)
	}
	now = now.Add(9*time.Minute + time.Second) // past the window and one bucket
	if v := verdict("m1"); v != Verified {
		t.Fatalf("m1 after the window: %q, want verified again", v)
	}
	for i := range 300 {
		verdict(fmt.Sprint("n", i))
		if n := l.seen.Len(); n > 100 {
			t.Fatalf("%d ids remembered, DedupMaxIDs 100", n)
		}
	}
	if v := verdict("n299"); v != Duplicate {
		t.Fatalf("the newest id: %q, want duplicate", v)
	}
}

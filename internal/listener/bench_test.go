package listener

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// body2K is a prediction delivery of about 2 KiB, as in the load runs of
// docs/performance.md.
var body2K = func() string {
	logs := strings.Repeat("step 42/100: loss 0.123, lr 0.0004\\n", 40)
	return `{"id":"k0pqcghk5yptb8jjk41dh8ufsl","model":"zeke/chaos-monkey","version":"0098011f5f482d1fcdbbba44ef1d6d22858e439a103b6ebb449ef9dec623a71e",` +
		`"input":{"sleep":0,"outcome":"success"},"logs":"` + logs + `","output":{"result":{"message":"the chaos monkey behaved","outcome":"success","sleep":0}},` +
		`"data_removed":false,"error":null,"status":"succeeded","created_at":"2026-01-01T00:00:00.000000Z","started_at":"2026-01-01T00:00:00.100000Z",` +
		`"completed_at":"2026-01-01T00:00:01.100000Z","urls":{"get":"https://api.replicate.com/v1/predictions/k0pqcghk5yptb8jjk41dh8ufsl","cancel":"https://api.replicate.com/v1/predictions/k0pqcghk5yptb8jjk41dh8ufsl/cancel","web":"https://replicate.com/p/k0pqcghk5yptb8jjk41dh8ufsl"},` +
		`"metrics":{"predict_time":1.0,"total_time":1.1},"source":"api","webhook":"https://example.ngrok.app/hook/x","webhook_events_filter":["completed"]}`
}()

// BenchmarkServeHTTP measures the handler path of one verified 2 KiB
// delivery: read, verify, decode, dedup, queue and answer (the consumer
// does nothing).
func BenchmarkServeHTTP(b *testing.B) {
	l, err := New(Config{Secret: testSecret(b, goodSecret), Path: testPath, Now: func() time.Time { return testNow }})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	s := testSecret(b, goodSecret)
	reqs := make([]*http.Request, 0, 1024)
	for i := range cap(reqs) {
		r := httptest.NewRequest(http.MethodPost, testPath, strings.NewReader(body2K))
		s.SignHeaders(r.Header, fmt.Sprintf("msg_%d", i), testNow, []byte(body2K))
		reqs = append(reqs, r)
	}
	b.SetBytes(int64(len(body2K)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := reqs[i%len(reqs)].Clone(reqs[0].Context())
		r.Header.Set("Webhook-Id", fmt.Sprintf("msg_b%d", i)) // a new id each time, so nothing is a duplicate
		s.SignHeaders(r.Header, r.Header.Get("Webhook-Id"), testNow, []byte(body2K))
		r.Body = nopBody{bytes.NewReader([]byte(body2K))}
		r.ContentLength = int64(len(body2K))
		w := httptest.NewRecorder()
		l.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		i++
	}
}

type nopBody struct{ *bytes.Reader }

func (nopBody) Close() error { return nil }

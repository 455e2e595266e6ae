package listener

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/webhook"
)

const testPath = "/hook/test"

// testNow is the fixed clock of the tests.
var testNow = time.Unix(1700000000, 0)

func testSecret(t testing.TB, s string) *webhook.Secret {
	t.Helper()
	sec, err := webhook.ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return &sec
}

var (
	goodSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	otherSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
)

const predictionBody = `{"id":"p_abc123","status":"succeeded","model":"zeke/chaos-monkey","input":{"sleep":0},"output":{"result":{}}}`

// recorder collects what OnDelivery receives.
type recorder struct {
	mu sync.Mutex
	ds []Delivery
	ch chan Delivery
}

func newRecorder() *recorder { return &recorder{ch: make(chan Delivery, 100)} }

func (r *recorder) onDelivery(d Delivery) {
	r.mu.Lock()
	r.ds = append(r.ds, d)
	r.mu.Unlock()
	r.ch <- d
}

func (r *recorder) all() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.ds...)
}

// next waits for the next delivery, failing after a generous deadline.
func (r *recorder) next(t *testing.T) Delivery {
	t.Helper()
	select {
	case d := <-r.ch:
		return d
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for OnDelivery")
		return Delivery{}
	}
}

// newTestListener builds a listener on testPath with the fixed clock; cfg's
// zero fields are filled in. It is closed at the end of the test.
func newTestListener(t *testing.T, cfg Config, rec *recorder) *Listener {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = testPath
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	if rec != nil {
		cfg.OnDelivery = rec.onDelivery
	}
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// signedRequest builds a POST to testPath signed with secret at ts.
func signedRequest(t testing.TB, secret, id string, ts time.Time, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, testPath, bytes.NewBufferString(body))
	testSecret(t, secret).SignHeaders(r.Header, id, ts, []byte(body))
	return r
}

func serve(l *Listener, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	l.ServeHTTP(w, r)
	return w
}

package listener

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/webhook"
)

func TestServeHTTP(t *testing.T) {
	signed := func(secret string, ts time.Time, body string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request { return signedRequest(t, secret, "msg_1", ts, body) }
	}
	withHeader := func(name, value string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := signedRequest(t, goodSecret, "msg_1", testNow, predictionBody)
			r.Header.Set(name, value)
			return r
		}
	}
	tests := []struct {
		name       string
		cfg        Config
		req        func(t *testing.T) *http.Request
		status     int
		verdict    Verdict
		reason     string
		prediction bool
	}{
		{name: "valid", req: signed(goodSecret, testNow, predictionBody),
			status: 200, verdict: Verified, prediction: true},
		{name: "wrong secret", req: signed(otherSecret, testNow, predictionBody),
			status: 401, verdict: Rejected, reason: "bad signature"},
		{name: "stale", req: signed(goodSecret, testNow.Add(-7*time.Minute-2*time.Second), predictionBody),
			status: 401, verdict: Rejected, reason: "stale timestamp (skew 7m2s)"},
		{name: "future", req: signed(goodSecret, testNow.Add(6*time.Minute), predictionBody),
			status: 401, verdict: Rejected, reason: "timestamp in the future (skew 6m0s)"},
		{name: "custom tolerance", cfg: Config{Tolerance: 10 * time.Minute},
			req:    signed(goodSecret, testNow.Add(-7*time.Minute), predictionBody),
			status: 200, verdict: Verified, prediction: true},
		{name: "missing headers", req: func(t *testing.T) *http.Request {
			return httptest.NewRequest(http.MethodPost, testPath, strings.NewReader(predictionBody))
		}, status: 400, verdict: Rejected, reason: "missing signature headers"},
		{name: "non-numeric timestamp", req: withHeader(webhook.HeaderTimestamp, "soon"),
			status: 400, verdict: Rejected, reason: `malformed signature headers: non-numeric webhook-timestamp "soon"`},
		{name: "garbage signature", req: withHeader(webhook.HeaderSignature, "v1,%%% nocomma"),
			status: 401, verdict: Rejected, reason: "bad signature"},
		{name: "body is an array", req: signed(goodSecret, testNow, `[1,2]`),
			status: 400, verdict: Rejected, reason: "malformed body"},
		{name: "body is not JSON", req: signed(goodSecret, testNow, `{"id":`),
			status: 400, verdict: Rejected, reason: "malformed body"},
		{name: "body does not fit a prediction", req: signed(goodSecret, testNow, `{"id":42}`),
			status: 400, verdict: Rejected, reason: "malformed body"},
		{name: "empty body", req: signed(goodSecret, testNow, ``),
			status: 400, verdict: Rejected, reason: "malformed body"},
		{name: "oversized", cfg: Config{MaxBodyBytes: 16}, req: signed(goodSecret, testNow, predictionBody),
			status: 413, verdict: Rejected, reason: "body too large"},
		{name: "GET", req: func(t *testing.T) *http.Request { return httptest.NewRequest(http.MethodGet, testPath, nil) },
			status: 405, verdict: Rejected, reason: "method not allowed"},
		{name: "unknown path", req: func(t *testing.T) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/hook/guess", strings.NewReader(predictionBody))
		}, status: 404, verdict: Rejected, reason: "unknown path"},
		{name: "skip verify without secret", cfg: Config{SkipVerify: true}, req: func(t *testing.T) *http.Request {
			return httptest.NewRequest(http.MethodPost, testPath, strings.NewReader(predictionBody))
		}, status: 200, verdict: Unverified, reason: "not checked", prediction: true},
		{name: "skip verify with bad signature", cfg: Config{SkipVerify: true, Secret: testSecret(t, goodSecret)},
			req: signed(otherSecret, testNow, predictionBody), status: 200, verdict: Unverified, reason: "bad signature", prediction: true},
		{name: "skip verify with stale timestamp", cfg: Config{SkipVerify: true, Secret: testSecret(t, goodSecret)},
			req:    signed(goodSecret, testNow.Add(-7*time.Minute-2*time.Second), predictionBody),
			status: 200, verdict: Unverified, reason: "stale timestamp (skew 7m2s)", prediction: true},
		{name: "skip verify with valid signature", cfg: Config{SkipVerify: true, Secret: testSecret(t, goodSecret)},
			req: signed(goodSecret, testNow, predictionBody), status: 200, verdict: Verified, prediction: true},
		{name: "skip verify still needs an object", cfg: Config{SkipVerify: true}, req: signed(goodSecret, testNow, `"text"`),
			status: 400, verdict: Rejected, reason: "malformed body"},
		{name: "empty object", req: signed(goodSecret, testNow, `{}`),
			status: 400, verdict: Rejected, reason: `not a prediction: missing "id"`},
		{name: "no id", req: signed(goodSecret, testNow, `{"status":"succeeded"}`),
			status: 400, verdict: Rejected, reason: `not a prediction: missing "id"`},
		{name: "empty id", req: signed(goodSecret, testNow, `{"id":"","status":"succeeded"}`),
			status: 400, verdict: Rejected, reason: `not a prediction: missing "id"`},
		{name: "null id", req: signed(goodSecret, testNow, `{"id":null,"status":"succeeded"}`),
			status: 400, verdict: Rejected, reason: `not a prediction: missing "id"`},
		{name: "no status", req: signed(goodSecret, testNow, `{"id":"p_abc123"}`),
			status: 400, verdict: Rejected, reason: `not a prediction: missing "status"`},
		{name: "empty status", req: signed(goodSecret, testNow, `{"id":"p_abc123","status":""}`),
			status: 400, verdict: Rejected, reason: `not a prediction: missing "status"`},
		{name: "unknown status", req: signed(goodSecret, testNow, `{"id":"p_abc123","status":"exploded"}`),
			status: 400, verdict: Rejected, reason: `not a prediction: unknown status "exploded"`},
		{name: "status in capitals", req: signed(goodSecret, testNow, `{"id":"p_abc123","status":"SUCCEEDED"}`),
			status: 400, verdict: Rejected, reason: `not a prediction: unknown status "SUCCEEDED"`},
		{name: "long unknown status is clipped", req: signed(goodSecret, testNow, `{"id":"p_abc123","status":"`+strings.Repeat("x", 100)+`"}`),
			status: 400, verdict: Rejected, reason: `not a prediction: unknown status "` + strings.Repeat("x", 64) + `..."`},
		{name: "skip verify still needs a prediction", cfg: Config{SkipVerify: true}, req: signed(goodSecret, testNow, `{}`),
			status: 400, verdict: Rejected, reason: `not a prediction: missing "id"`},
		{name: "skip verify with bad signature still needs a status", cfg: Config{SkipVerify: true, Secret: testSecret(t, goodSecret)},
			req:    signed(otherSecret, testNow, `{"id":"p_abc123","status":"exploded"}`),
			status: 400, verdict: Rejected, reason: `not a prediction: unknown status "exploded"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg.Secret == nil && !cfg.SkipVerify {
				cfg.Secret = testSecret(t, goodSecret)
			}
			rec := newRecorder()
			l := newTestListener(t, cfg, rec)
			req := tt.req(t)
			sent := readAll(t, req)
			w := serve(l, req)
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d (body %q)", w.Code, tt.status, w.Body)
			}
			if tt.status == 405 && w.Header().Get("Allow") != "POST" {
				t.Errorf("Allow = %q, want POST", w.Header().Get("Allow"))
			}
			d := rec.next(t)
			checkDelivery(t, d, req, tt.status, tt.verdict, tt.reason, tt.prediction)
			checkBody(t, d, sent)
		})
	}
}

func checkDelivery(t *testing.T, d Delivery, req *http.Request, status int, verdict Verdict, reason string, prediction bool) {
	t.Helper()
	if d.Status != status || d.Verdict != verdict || d.Reason != reason {
		t.Errorf("delivery = %d %q %q, want %d %q %q", d.Status, d.Verdict, d.Reason, status, verdict, reason)
	}
	if d.Accepted() != (verdict == Verified || verdict == Unverified) {
		t.Errorf("Accepted() = %v for %q", d.Accepted(), verdict)
	}
	if d.Method != req.Method || d.Path != req.URL.Path || d.RemoteAddr != req.RemoteAddr || !d.ReceivedAt.Equal(testNow) {
		t.Errorf("request fields = %s %s %s %v", d.Method, d.Path, d.RemoteAddr, d.ReceivedAt)
	}
	if d.WebhookID != req.Header.Get(webhook.HeaderID) || d.Header.Get(webhook.HeaderSignature) != req.Header.Get(webhook.HeaderSignature) {
		t.Errorf("headers not recorded: id %q", d.WebhookID)
	}
	if (d.Prediction != nil) != prediction {
		t.Fatalf("Prediction = %v, want present=%v", d.Prediction, prediction)
	}
	if prediction {
		if d.Prediction.ID != "p_abc123" || d.Prediction.Status != "succeeded" {
			t.Errorf("Prediction = %+v", d.Prediction)
		}
		if full, err := d.Decode(); err != nil || !bytes.Equal(full.RawJSON(), d.Body) || full.Model != "zeke/chaos-monkey" || string(d.Body) != predictionBody {
			t.Errorf("raw body not kept: %q", d.Body)
		}
	}
	if status == 413 && (d.Body != nil || !d.Truncated) {
		t.Errorf("Body = %q, Truncated %v: want nil and truncated when too large", d.Body, d.Truncated)
	}
}

// checkBody checks that a delivery whose body was read keeps all of it, as
// sent: these bodies are all shorter than BodyPrefixBytes.
func checkBody(t *testing.T, d Delivery, sent []byte) {
	t.Helper()
	switch d.Status {
	case 404, 405, 413:
		if d.Status != 413 && (d.Body != nil || d.Size != 0) {
			t.Errorf("unread body: Body %q, Size %d", d.Body, d.Size)
		}
		return
	}
	if d.Size != int64(len(sent)) || !bytes.Equal(d.Body, sent) || d.Truncated {
		t.Errorf("Body %q (Size %d, Truncated %v), want %q whole", d.Body, d.Size, d.Truncated, sent)
	}
}

// readAll reads req's body and puts an equal one back.
func readAll(t *testing.T, req *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// TestValidStatuses checks every status a prediction webhook can carry.
func TestValidStatuses(t *testing.T) {
	for _, st := range []string{"starting", "processing", "succeeded", "failed", "canceled", "aborted"} {
		l := newTestListener(t, Config{Secret: testSecret(t, goodSecret)}, nil)
		body := `{"id":"p_1","status":"` + st + `"}`
		if w := serve(l, signedRequest(t, goodSecret, "msg_"+st, testNow, body)); w.Code != http.StatusOK {
			t.Errorf("status %q: answer %d %q", st, w.Code, w.Body)
		}
	}
}

func TestAnswerBodies(t *testing.T) {
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret)}, nil)
	w := serve(l, signedRequest(t, goodSecret, "msg_1", testNow, predictionBody))
	if w.Code != 200 || w.Body.String() != "ok\n" {
		t.Errorf("answer = %d %q", w.Code, w.Body)
	}
	w = serve(l, signedRequest(t, otherSecret, "msg_2", testNow, predictionBody))
	if w.Code != 401 || w.Body.String() != "bad signature\n" {
		t.Errorf("answer = %d %q", w.Code, w.Body)
	}
}

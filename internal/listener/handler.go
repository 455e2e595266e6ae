package listener

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/notifier-dev/notifier/internal/webhook"
)

// ServeHTTP answers one request: 2xx as soon as a delivery is verified and
// queued, an error status otherwise. Every request, accepted or not, is then
// reported to OnDelivery (rejections best-effort).
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	it := &item{
		d: Delivery{
			WebhookID:  r.Header.Get(webhook.HeaderID),
			ReceivedAt: l.cfg.Now(),
			Status:     http.StatusOK,
			Method:     r.Method,
			Path:       r.URL.Path,
			RemoteAddr: r.RemoteAddr,
			// Not a copy: net/http neither reuses nor changes a request's
			// headers once its handler has returned, and nothing here
			// changes them.
			Header: r.Header,
		},
		written: make(chan struct{}),
	}
	defer close(it.written) // lets the worker call OnDelivery after the answer
	if l.inspect(w, r, it) {
		l.admit(it)
	} else {
		l.report(it)
	}
	answer(w, it.d)
}

// inspect checks path, method, size, signature and body, filling in it. It
// returns false when the delivery was rejected.
func (l *Listener) inspect(w http.ResponseWriter, r *http.Request, it *item) bool {
	d := &it.d
	if r.URL.Path != l.cfg.Path {
		return d.reject(http.StatusNotFound, "unknown path")
	}
	if r.Method != http.MethodPost {
		return d.reject(http.StatusMethodNotAllowed, "method not allowed")
	}
	if !l.readBody(w, r, it) || !l.verify(r.Header, d) {
		return false
	}
	// Decoding after verifying: the signature covers the raw bytes, which
	// must never be re-serialised first. Only the few fields the listener
	// needs are decoded; Decode does the rest when a consumer wants it.
	p, ok := decodeSummary(d.Body)
	if !ok {
		return d.reject(http.StatusBadRequest, "malformed body")
	}
	if reason := notAPrediction(&p); reason != "" {
		return d.reject(http.StatusBadRequest, "not a prediction: "+reason)
	}
	x := &struct { // one allocation for both
		p    Summary
		full decoded
	}{p: p}
	d.Prediction, d.full = &x.p, &x.full
	return true
}

// verify sets d's verdict from the signature check. Under SkipVerify a
// failure is accepted as Unverified, with the failure as its reason.
func (l *Listener) verify(h http.Header, d *Delivery) bool {
	if l.cfg.Secret == nil {
		d.Verdict, d.Reason = Unverified, "not checked"
		return true
	}
	err := l.cfg.Secret.VerifyTolerance(h, d.Body, d.ReceivedAt, l.cfg.Tolerance)
	if err == nil {
		d.Verdict = Verified
		return true
	}
	status, reason := classify(err)
	if l.cfg.SkipVerify {
		d.Verdict, d.Reason = Unverified, reason
		return true
	}
	return d.reject(status, reason)
}

// classify maps a verification error to an HTTP status and a reason.
func classify(err error) (int, string) {
	var te *webhook.TimestampError
	switch {
	case errors.Is(err, webhook.ErrMissingHeaders):
		return http.StatusBadRequest, "missing signature headers"
	case errors.Is(err, webhook.ErrMalformedHeaders):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, webhook.ErrBadSignature):
		return http.StatusUnauthorized, "bad signature"
	case errors.As(err, &te):
		return http.StatusUnauthorized, te.Error()
	default:
		return http.StatusUnauthorized, err.Error()
	}
}

// isJSONObject reports whether body starts as a JSON object; decodeSummary
// checks the rest.
func isJSONObject(body []byte) bool {
	for _, c := range body {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}

// reject marks d as rejected and returns false, for inspect's returns.
func (d *Delivery) reject(status int, reason string) bool {
	d.Verdict, d.Reason, d.Status = Rejected, reason, status
	return false
}

// The answer to a delivery that is kept, and header values shared by the
// answers (net/http only reads them): two allocations fewer per delivery.
const okBody = "ok\n"

var (
	textPlain = []string{"text/plain; charset=utf-8"}
	okLength  = []string{strconv.Itoa(len(okBody))}
)

// answer writes d's status and a short plain-text body with its length,
// then flushes, so the sender has its answer before OnDelivery runs: one
// write, not a chunked answer and its terminator.
func answer(w http.ResponseWriter, d Delivery) {
	h := w.Header()
	body := okBody
	switch {
	case d.Status == http.StatusMethodNotAllowed:
		h.Set("Allow", http.MethodPost)
		body = d.Reason + "\n"
	case d.Status == http.StatusServiceUnavailable && d.Reason == reasonBusy:
		h.Set("Retry-After", "1")
		body = d.Reason + "\n"
	case d.Verdict == Rejected:
		h.Set("X-Content-Type-Options", "nosniff")
		body = d.Reason + "\n"
	case d.Verdict == Duplicate:
		body = "ok (duplicate)\n"
	}
	h["Content-Type"] = textPlain
	if body == okBody {
		h["Content-Length"] = okLength
	} else {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(d.Status)
	_, _ = io.WriteString(w, body)
	_ = http.NewResponseController(w).Flush()
}

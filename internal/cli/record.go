package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"
	"unicode/utf8"

	"github.com/notifier-dev/notifier/internal/listener"
)

// recordedDelivery is one line of a --record file (JSONL), and what replay reads back.
type recordedDelivery struct {
	ReceivedAt time.Time   `json:"received_at"` // RFC 3339 with nanoseconds, UTC
	WebhookID  string      `json:"webhook_id"`
	Method     string      `json:"method"`
	Path       string      `json:"path"`
	Headers    http.Header `json:"headers"`
	// Body is the raw body when it is valid UTF-8; BodyBase64 holds it otherwise.
	// Both are absent when the body was not read (too large).
	Body       *string `json:"body,omitempty"`
	BodyBase64 string  `json:"body_base64,omitempty"`
	Verdict    string  `json:"verdict"`
	Reason     string  `json:"reason,omitempty"`
	HTTPStatus int     `json:"http_status"`
}

// newRecord captures a delivery exactly as it arrived.
func newRecord(d listener.Delivery) recordedDelivery {
	rec := recordedDelivery{ReceivedAt: d.ReceivedAt.UTC(), WebhookID: d.WebhookID, Method: d.Method, Path: d.Path,
		Headers: d.Header, Verdict: string(d.Verdict), Reason: d.Reason, HTTPStatus: d.Status}
	if rec.Headers == nil {
		rec.Headers = http.Header{}
	}
	switch {
	case d.Body == nil:
	case utf8.Valid(d.Body):
		s := string(d.Body)
		rec.Body = &s
	default:
		rec.BodyBase64 = base64.StdEncoding.EncodeToString(d.Body)
	}
	return rec
}

// marshalRecord renders rec as one line, newline included. HTML characters
// are kept as they are, so the body stays readable.
func marshalRecord(rec recordedDelivery) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// rawBody returns the recorded body bytes.
func (rec recordedDelivery) rawBody() ([]byte, error) {
	if rec.BodyBase64 != "" {
		return base64.StdEncoding.DecodeString(rec.BodyBase64)
	}
	if rec.Body != nil {
		return []byte(*rec.Body), nil
	}
	return nil, nil
}

// accepted reports whether the recorded delivery was processed by listen.
func (rec recordedDelivery) accepted() bool {
	return rec.Verdict == string(listener.Verified) || rec.Verdict == string(listener.Unverified)
}

// recorder appends every delivery to the --record file. It is used from the
// listener's worker goroutine only. After a failed write it stops, warns once
// and reports the failure when listen ends: nothing is lost silently.
type recorder struct {
	path    string
	f       *os.File
	pr      *progress
	err     error // the first write failure
	missing int   // deliveries not recorded because of it
}

// openRecorder opens --record FILE for appending; it returns nil when the flag is unset.
func openRecorder(path string, pr *progress) (*recorder, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the --record file: %w", err)
	}
	return &recorder{path: path, f: f, pr: pr}, nil
}

// record appends d as one line, with a single Write so lines never interleave.
func (r *recorder) record(d listener.Delivery) {
	if r == nil {
		return
	}
	if r.err != nil {
		r.missing++
		return
	}
	line, err := marshalRecord(newRecord(d))
	if err == nil {
		_, err = r.f.Write(line)
	}
	if err != nil {
		r.err, r.missing = err, 1
		r.pr.warnf("recording deliveries to %s failed: %v; recording stopped", r.path, err)
	}
}

// close closes the file and returns the write failure, if any.
func (r *recorder) close() error {
	if r == nil || r.f == nil {
		return nil
	}
	cerr := r.f.Close()
	r.f = nil
	if r.err == nil && cerr != nil {
		r.err = cerr
	}
	switch {
	case r.err != nil && r.missing > 0:
		return fmt.Errorf("recording deliveries to %s failed: %w (%d not recorded)", r.path, r.err, r.missing)
	case r.err != nil:
		return fmt.Errorf("recording deliveries to %s failed: %w", r.path, r.err)
	}
	return nil
}

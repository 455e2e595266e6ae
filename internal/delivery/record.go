// Package delivery keeps webhook deliveries: the record format of
// listen --record (JSONL), its writer and reader, the selection replay makes,
// and sending a delivery on to another URL (forwarding and replay).
package delivery

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/notifier-dev/notifier/internal/listener"
)

// FormatVersion is the version of the record format this package writes.
// Lines without a version were written before it was introduced and have
// the same fields as version 1.
const FormatVersion = 1

// Record is one delivery as a line of a record file (JSONL). The format is
// a file contract, documented in docs/usage.md: fields are added, never
// renamed or given another meaning, and Version says which format wrote a line.
type Record struct {
	// Version is the record format, FormatVersion when written by this package.
	Version int `json:"version"`
	// ReceivedAt is when the request arrived: RFC 3339 with nanoseconds, UTC.
	ReceivedAt time.Time `json:"received_at"`
	// WebhookID is the webhook-id header, "" when absent.
	WebhookID string `json:"webhook_id"`
	// Method and Path are the request's.
	Method string `json:"method"`
	Path   string `json:"path"`
	// Headers are the request headers as received.
	Headers http.Header `json:"headers"`
	// Body is the raw body when it is valid UTF-8; BodyBase64 holds it
	// otherwise. Both are absent when the body was not read.
	Body       *string `json:"body,omitempty"`
	BodyBase64 string  `json:"body_base64,omitempty"`
	// BodySize is how many body bytes arrived, which is more than Body holds
	// when BodyTruncated: the listener keeps only a prefix of the bodies it
	// rejects.
	BodySize      int64 `json:"body_size"`
	BodyTruncated bool  `json:"body_truncated,omitempty"`
	// Verdict is what the listener made of it: verified, unverified,
	// duplicate or rejected; Reason says why for all but verified.
	Verdict string `json:"verdict"`
	Reason  string `json:"reason,omitempty"`
	// HTTPStatus is the status the listener answered.
	HTTPStatus int `json:"http_status"`
}

// NewRecord captures a delivery exactly as it arrived.
func NewRecord(d listener.Delivery) Record {
	rec := Record{Version: FormatVersion, ReceivedAt: d.ReceivedAt.UTC(), WebhookID: d.WebhookID,
		Method: d.Method, Path: d.Path, Headers: d.Header, BodySize: d.Size, BodyTruncated: d.Truncated,
		Verdict: string(d.Verdict), Reason: d.Reason, HTTPStatus: d.Status}
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

// Marshal renders rec as one line, newline included. HTML characters are
// kept as they are, so the body stays readable.
func (rec Record) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Parse reads one line of a record file.
func Parse(line []byte) (Record, error) {
	var rec Record
	if err := json.Unmarshal(line, &rec); err != nil {
		return rec, err
	}
	switch {
	case rec.Verdict == "":
		return rec, errors.New("no verdict: not a delivery record")
	case rec.Version > FormatVersion:
		return rec, fmt.Errorf("record format version %d is newer than this notifier reads (%d): upgrade notifier", rec.Version, FormatVersion)
	case rec.Version == 0:
		rec.Version = 1 // written before the field existed, in the same format
	}
	if _, err := rec.RawBody(); err != nil {
		return rec, fmt.Errorf("body_base64: %w", err)
	}
	return rec, nil
}

// RawBody returns the recorded body bytes.
func (rec Record) RawBody() ([]byte, error) {
	if rec.BodyBase64 != "" {
		return base64.StdEncoding.DecodeString(rec.BodyBase64)
	}
	if rec.Body != nil {
		return []byte(*rec.Body), nil
	}
	return nil, nil
}

// Accepted reports whether listen processed the delivery: verified or unverified.
func (rec Record) Accepted() bool {
	return rec.Verdict == string(listener.Verified) || rec.Verdict == string(listener.Unverified)
}

package replicateapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// MinCancelAfter is the shortest deadline Replicate accepts in Cancel-After.
const MinCancelAfter = 5 * time.Second

type cancelAfterKey struct{}

// WithCancelAfter returns a context whose create calls (a POST on a path
// ending in /predictions) carry a Cancel-After header of d: Replicate then
// cancels the prediction itself once d has passed since it was created,
// whatever happens to the caller. replicate-go has no option for it.
func WithCancelAfter(ctx context.Context, d time.Duration) context.Context {
	if d <= 0 {
		return ctx
	}
	return context.WithValue(ctx, cancelAfterKey{}, d)
}

// FormatCancelAfter renders d as Cancel-After takes it: whole seconds,
// rounded up, in hours, minutes and seconds, e.g. "30s", "5m", "1h30m".
func FormatCancelAfter(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	h, m, s := secs/3600, secs/60%60, secs%60
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}

// addHeaders returns req with the headers its context asks for, a copy
// when there are any: a RoundTripper must not change the request it is given.
func addHeaders(req *http.Request) *http.Request {
	d, ok := req.Context().Value(cancelAfterKey{}).(time.Duration)
	if !ok || req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/predictions") {
		return req
	}
	r := req.Clone(req.Context())
	r.Header.Set("Cancel-After", FormatCancelAfter(d))
	return r
}

// Progress is told how many bytes of an upload were sent, of total.
type Progress func(sent, total int64)

type uploadKey struct{}

// WithUploadProgress returns a context whose file uploads (a POST on a path
// ending in /files) report their progress to fn as the body is sent.
func WithUploadProgress(ctx context.Context, fn Progress) context.Context {
	return context.WithValue(ctx, uploadKey{}, fn)
}

// countBody wraps the body of an upload whose context asks for progress.
func countBody(req *http.Request) *http.Request {
	fn, ok := req.Context().Value(uploadKey{}).(Progress)
	if !ok || fn == nil || req.Body == nil || req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/files") {
		return req
	}
	r := req.Clone(req.Context())
	r.Body = &countingReader{rc: req.Body, total: req.ContentLength, fn: fn}
	return r
}

type countingReader struct {
	rc    io.ReadCloser
	sent  int64
	total int64
	fn    Progress
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.sent += int64(n)
	if n > 0 {
		c.fn(c.sent, c.total)
	}
	return n, err
}

func (c *countingReader) Close() error { return c.rc.Close() }

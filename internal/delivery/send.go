package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// DefaultTimeout bounds one send: connect, send and read the answer.
const DefaultTimeout = 10 * time.Second

// maxDrainBytes is how much of an answer's body is read (and thrown away) so
// the connection can be reused.
const maxDrainBytes = 1 << 20

// hopByHopHeaders are meaningful for one connection only (RFC 9110 §7.6.1,
// the list of net/http/httputil.ReverseProxy); Host and Content-Length are
// set by net/http itself.
var hopByHopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
}

// ForwardHeaders copies h without the hop-by-hop headers, including those
// its Connection header names, so the target sees what the sender sent.
func ForwardHeaders(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		return http.Header{}
	}
	for _, v := range h.Values("Connection") {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				out.Del(textproto.CanonicalMIMEHeaderKey(name))
			}
		}
	}
	for _, name := range hopByHopHeaders {
		out.Del(name)
	}
	return out
}

// ParseTarget checks a URL to send deliveries to: absolute http(s) with a host.
func ParseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("want an absolute http(s) URL such as http://localhost:3000/webhooks")
	}
	return u, nil
}

// NewClient is the HTTP client of forwarding and replay: each send bounded
// by timeout (DefaultTimeout when zero), and redirects never followed, so a
// 3xx is reported as the answer it is.
func NewClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Result is what the target answered to one send.
type Result struct {
	Status   int // 0 when there was no answer
	Duration time.Duration
	Err      error
}

// OK reports whether the target answered 2xx.
func (r Result) OK() bool { return r.Err == nil && r.Status >= 200 && r.Status < 300 }

// ErrStopped means the send was cut short because notifier was stopping,
// not because of the target.
var ErrStopped = errors.New("stopped before the answer came")

// Send delivers body with header to target exactly: the raw bytes, no
// re-encoding, without hop-by-hop headers.
func Send(ctx context.Context, c *http.Client, method, target string, header http.Header, body []byte) Result {
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return Result{Err: err}
	}
	req.Header = ForwardHeaders(header)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			err = ErrStopped
		}
		return Result{Duration: time.Since(start), Err: err}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBytes))
	resp.Body.Close()
	return Result{Status: resp.StatusCode, Duration: time.Since(start)}
}

// Describe says what went wrong in a few words, without net/http's
// repetition of the method and URL: "connection refused", "no answer
// within 10s".
func (r Result) Describe(timeout time.Duration) string {
	var ue *url.Error
	switch err := r.Err; {
	case err == nil:
		return ""
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &ue) && ue.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	case errors.As(err, &ue):
		return oneLine(ue.Err.Error())
	default:
		return oneLine(err.Error())
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

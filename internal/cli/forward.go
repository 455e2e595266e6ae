package cli

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

	"github.com/notifier-dev/notifier/internal/listener"
)

// forwardTimeout bounds one forward or replay: connect, send and read the answer.
const forwardTimeout = 10 * time.Second

// maxDrainBytes is how much of an answer's body is read (and thrown away) so
// the connection can be reused.
const maxDrainBytes = 1 << 20

// hopByHopHeaders are meaningful for one connection only (RFC 9110 §7.6.1, the
// list of net/http/httputil.ReverseProxy); Host and Content-Length are set by
// net/http itself.
var hopByHopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
}

// forwardHeaders copies h without the hop-by-hop headers, including those that
// its Connection header names, so the target sees what the sender sent.
func forwardHeaders(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		return http.Header{}
	}
	for _, v := range h.Values("Connection") {
		for _, name := range strings.Split(v, ",") {
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

// parseTargetURL checks a --forward-to or --to URL: absolute http(s) with a host.
func parseTargetURL(flag, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageErrorf("invalid %s %q: want an absolute http(s) URL such as http://localhost:3000/webhooks", flag, raw)
	}
	return u, nil
}

// newSendClient is the HTTP client of forward and replay: bounded in time, and
// never following redirects, so a 3xx is reported as the answer it is.
func newSendClient() *http.Client {
	return &http.Client{
		Timeout:       forwardTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// sendResult is what the target answered to one forward or replay.
type sendResult struct {
	Status   int // 0 when there was no answer
	Duration time.Duration
	Err      error
}

// OK reports whether the target answered 2xx.
func (r sendResult) OK() bool { return r.Err == nil && r.Status >= 200 && r.Status < 300 }

// String renders the answer as "200 OK (12ms)" or "error: connection refused".
func (r sendResult) String() string {
	if r.Err != nil {
		return "error: " + describeSendError(r.Err)
	}
	return fmt.Sprintf("%s (%s)", statusText(r.Status), roundDur(r.Duration))
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

// send delivers body with header to target, exactly: the raw bytes, no re-encoding.
func send(ctx context.Context, c *http.Client, method, target string, header http.Header, body []byte) sendResult {
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return sendResult{Err: err}
	}
	req.Header = forwardHeaders(header)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			err = errSendStopped // Ctrl-C or --timeout, not the target's fault
		}
		return sendResult{Duration: time.Since(start), Err: err}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBytes))
	resp.Body.Close()
	return sendResult{Status: resp.StatusCode, Duration: time.Since(start)}
}

// errSendStopped means notifier was stopping and did not wait for the answer.
var errSendStopped = errors.New("stopped before the answer came")

// describeSendError shortens net/http's errors, which repeat the method and
// URL, to what went wrong.
func describeSendError(err error) string {
	var ue *url.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &ue) && ue.Timeout():
		return fmt.Sprintf("no answer within %s", forwardTimeout)
	case errors.As(err, &ue):
		return oneLine(ue.Err.Error())
	}
	return oneLine(err.Error())
}

// forwarder sends listen's accepted deliveries to --forward-to, one at a time,
// from the listener's worker: after Replicate got its answer (DESIGN.md §3).
type forwarder struct {
	url     string // where to send
	display string // the URL as shown, without a password
	client  *http.Client
	r       *deliveryRenderer
}

// newForwarder validates --forward-to; it returns nil when the flag is unset.
func newForwarder(raw string, r *deliveryRenderer) (*forwarder, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := parseTargetURL("--forward-to", raw)
	if err != nil {
		return nil, err
	}
	return &forwarder{url: u.String(), display: u.Redacted(), client: newSendClient(), r: r}, nil
}

// forward sends an accepted delivery with its original headers and raw body,
// so the app can verify the signature itself, and shows the answer.
func (f *forwarder) forward(ctx context.Context, d listener.Delivery) {
	if f == nil || !d.Accepted() {
		return
	}
	res := send(ctx, f.client, d.Method, f.url, d.Header, d.Body)
	f.r.forwarded(d, res, f.display)
}

// jsonForward is the NDJSON line of listen --json for a forward.
type jsonForward struct {
	Type       string `json:"type"` // "forward"
	WebhookID  string `json:"webhook_id"`
	Status     int    `json:"status,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	Error      string `json:"error,omitempty"`
}

// forwarded prints the answer to a forward, right after the delivery's line:
// "21:04:05  <-- 200 OK  (12ms)  http://localhost:3000/webhooks".
func (r *deliveryRenderer) forwarded(d listener.Delivery, res sendResult, target string) {
	if r.json {
		jf := jsonForward{Type: "forward", WebhookID: d.WebhookID, Status: res.Status, DurationMS: res.Duration.Milliseconds()}
		if res.Err != nil {
			jf.Error = describeSendError(res.Err)
		}
		if err := r.writeJSON(jf); err != nil {
			r.pr.warnf("writing output: %v", err)
		}
		return
	}
	ts := time.Now().Local().Format("15:04:05")
	answer := fmt.Sprintf("%s  (%s)", statusText(res.Status), roundDur(res.Duration))
	if res.Err != nil {
		answer = r.bad("error: " + describeSendError(res.Err))
	} else if !res.OK() {
		answer = r.bad(statusText(res.Status)) + fmt.Sprintf("  (%s)", roundDur(res.Duration))
	}
	fmt.Fprintf(r.io.Out, "%s  <-- %s  %s\n", ts, answer, target)
}

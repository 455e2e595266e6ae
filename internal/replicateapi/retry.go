package replicateapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/waitctx"
)

// retryTransport retries Replicate API requests: GETs on 429 and 5xx, other
// methods on 429 only (the request was not processed), as replicate-go does,
// but its waits end with the request's context and it rewinds request bodies.
type retryTransport struct {
	base        http.RoundTripper
	maxAttempts int
	baseDelay   time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := t.base.RoundTrip(countBody(addHeaders(req)))
		stop := err != nil || attempt >= t.maxAttempts || !retryable(req.Method, resp.StatusCode) ||
			req.Body != nil && req.GetBody == nil // this body cannot be sent again
		if stop {
			record(req, resp, err)
			resp = capture(req, resp)
			if resp != nil {
				// replicate-go would sleep for Retry-After itself, ignoring the context.
				resp.Header.Del("Retry-After")
			}
			return resp, err
		}
		delay := retryDelay(resp, t.baseDelay<<(attempt-1))
		resp.Body.Close()
		if err := waitctx.Sleep(req.Context(), delay); err != nil {
			return nil, err
		}
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
	}
}

func retryable(method string, status int) bool {
	if status == http.StatusTooManyRequests {
		return true
	}
	return method == http.MethodGet && status >= 500
}

// retryDelay honours Retry-After (seconds or an HTTP date) when present.
func retryDelay(resp *http.Response, fallback time.Duration) time.Duration {
	ra := resp.Header.Get("Retry-After")
	if s, err := strconv.Atoi(ra); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, time.Minute)
	}
	if t, err := http.ParseTime(ra); err == nil {
		return min(max(time.Until(t), 0), time.Minute)
	}
	return fallback
}

// Observation records the last HTTP outcome of the calls made with a
// context from Observe, for errors that replicate-go drops
// (GetDefaultWebhookSecret returns none of its cause).
type Observation struct {
	mu     sync.Mutex
	status int
	err    error
}

type observeKey struct{}

// Observe returns a context whose API calls record their outcome in the
// Observation.
func Observe(ctx context.Context) (context.Context, *Observation) {
	o := &Observation{}
	return context.WithValue(ctx, observeKey{}, o), o
}

func record(req *http.Request, resp *http.Response, err error) {
	o, ok := req.Context().Value(observeKey{}).(*Observation)
	if !ok {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.err = err
	if resp != nil {
		o.status = resp.StatusCode
	}
}

// Accepted reports whether the last call was answered 2xx: the API did what
// was asked even when replicate-go could not decode its answer.
func (o *Observation) Accepted() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err == nil && o.status/100 == 2
}

// Outcome returns the last call's HTTP status (0 when there was no answer)
// and its transport error.
func (o *Observation) Outcome() (status int, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.status, o.err
}

// Describe explains the recorded outcome in a few words.
func (o *Observation) Describe() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case o.err != nil:
		return "cannot reach the Replicate API: " + o.err.Error()
	case o.status != 0:
		return fmt.Sprintf("the API answered HTTP %d %s", o.status, http.StatusText(o.status))
	}
	return "no answer from the API"
}

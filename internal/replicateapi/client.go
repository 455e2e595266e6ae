// Package replicateapi configures replicate-go the way notifier needs it:
// HTTP requests bounded in time, retries that end with their context and
// resend request bodies, and what replicate-go itself drops: the HTTP outcome
// behind an error, and the id of a prediction whose create answer it could
// not decode.
package replicateapi

import (
	"net/http"
	"time"

	"github.com/replicate/replicate-go"
)

// DefaultTimeout bounds each HTTP request to the API.
const DefaultTimeout = 30 * time.Second

// Config is how to reach the API.
type Config struct {
	Token   string
	BaseURL string // including /v1
	// UserAgent is sent with every request.
	UserAgent string
	// Timeout bounds each request (default DefaultTimeout); negative for
	// no bound but the request's context, for streams.
	Timeout time.Duration
	// Transport is the HTTP transport under the retries (default
	// http.DefaultTransport).
	Transport http.RoundTripper
}

// NewClient returns a replicate-go client for cfg. Retries are this
// package's (429 for every method, 5xx for GET, up to 5 attempts from a
// 0.5 s backoff, honouring Retry-After), not replicate-go's own, whose sleeps
// ignore the context (docs/replicate.md, "Errors and rate limits").
func NewClient(cfg Config) (*replicate.Client, error) {
	switch {
	case cfg.Timeout == 0:
		cfg.Timeout = DefaultTimeout
	case cfg.Timeout < 0:
		cfg.Timeout = 0
	}
	base := cfg.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc := &http.Client{
		Timeout:   cfg.Timeout,
		Transport: &retryTransport{base: base, maxAttempts: 5, baseDelay: 500 * time.Millisecond},
	}
	opts := []replicate.ClientOption{
		replicate.WithToken(cfg.Token),
		replicate.WithBaseURL(cfg.BaseURL),
		replicate.WithHTTPClient(hc),
		replicate.WithRetryPolicy(0, &replicate.ConstantBackoff{}),
	}
	if cfg.UserAgent != "" {
		opts = append(opts, replicate.WithUserAgent(cfg.UserAgent))
	}
	return replicate.NewClient(opts...)
}

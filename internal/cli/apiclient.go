package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/replicate/replicate-go"
)

// apiTimeout bounds each HTTP request to the Replicate API.
const apiTimeout = 30 * time.Second

// apiConfig is how notifier reaches the Replicate API.
type apiConfig struct {
	Token   string
	BaseURL string
}

// apiConfigFromEnv reads REPLICATE_API_TOKEN and REPLICATE_BASE_URL.
func apiConfigFromEnv(getenv func(string) string) (apiConfig, error) {
	cfg := apiConfig{Token: strings.TrimSpace(getenv(envAPIToken)), BaseURL: getenv(envBaseURL)}
	if cfg.BaseURL == "" {
		cfg.BaseURL = defaultBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, withCode(exitUsage, fmt.Errorf("%s is not an absolute http(s) URL", envBaseURL),
			"set it to the API base URL including /v1, e.g. "+defaultBaseURL)
	}
	if cfg.Token == "" {
		return cfg, withCode(exitError, fmt.Errorf("%s is not set", envAPIToken),
			"create a token at https://replicate.com/account/api-tokens and export "+envAPIToken+"=r8_...",
			"or try notifier offline with --simulate")
	}
	return cfg, nil
}

// newAPIClient is the one place replicate-go is configured: an HTTP client with
// timeouts, and retries done by retryTransport (context-aware, body-safe) instead
// of replicate-go's own, whose sleeps ignore the context (REPLICATE.md §3).
func newAPIClient(cfg apiConfig) (*replicate.Client, error) {
	hc := &http.Client{
		Timeout:   apiTimeout,
		Transport: &retryTransport{base: http.DefaultTransport, maxAttempts: 5, baseDelay: 500 * time.Millisecond},
	}
	return replicate.NewClient(
		replicate.WithToken(cfg.Token),
		replicate.WithBaseURL(cfg.BaseURL),
		replicate.WithHTTPClient(hc),
		replicate.WithUserAgent("notifier/"+versionString()),
		replicate.WithRetryPolicy(0, &replicate.ConstantBackoff{}),
	)
}

// apiError turns a replicate-go error into one clear line with hints.
// doing is what was being done, e.g. "creating prediction".
func apiError(doing string, err error) error {
	var ae *replicate.APIError
	if errors.As(err, &ae) {
		msg := strings.Trim(strings.TrimSpace(ae.Title+": "+ae.Detail), ": ")
		if msg == "" {
			msg = http.StatusText(ae.Status)
		}
		e := fmt.Errorf("%s: %s (HTTP %d)", doing, msg, ae.Status)
		switch ae.Status {
		case http.StatusUnauthorized, http.StatusForbidden:
			return withHint(e, "check "+envAPIToken+"; tokens are at https://replicate.com/account/api-tokens")
		case http.StatusNotFound, http.StatusUnprocessableEntity:
			return withHint(e, "check the model, version and inputs on its page at https://replicate.com")
		case http.StatusTooManyRequests:
			return withHint(e, "the API is throttling requests; try again in a moment")
		}
		return withHint(e)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if errors.Is(ue.Err, context.Canceled) || errors.Is(ue.Err, context.DeadlineExceeded) {
			return err
		}
		u, _ := url.Parse(ue.URL)
		host := ue.URL
		if u != nil {
			host = u.Scheme + "://" + u.Host
		}
		var ne net.Error
		cause := ue.Err
		if errors.As(ue.Err, &ne) && ne.Timeout() {
			cause = fmt.Errorf("timed out after %s", apiTimeout)
		}
		return withHint(fmt.Errorf("%s: cannot reach the Replicate API at %s: %v", doing, host, cause),
			"check your network and "+envBaseURL)
	}
	return withHint(fmt.Errorf("%s: %w", doing, err))
}

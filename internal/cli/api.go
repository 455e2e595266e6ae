package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/replicateapi"
	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// apiSession is the Replicate API a command talks to: the real one
// (configured from the environment, lazily, so commands that never call it
// need no token) or an in-process simulator, which brings its own token and
// signing secret.
type apiSession struct {
	Client func() (*replicate.Client, error)
	sim    *simulator.Simulator
	getenv func(string) string
}

// startAPI prepares the API; with simulate it starts a simulator on loopback.
func startAPI(io *IOStreams, getenv func(string) string, simulate bool, log *slog.Logger) (*apiSession, error) {
	if !simulate {
		return &apiSession{getenv: getenv, Client: sync.OnceValues(func() (*replicate.Client, error) {
			cfg, err := apiConfigFromEnv(getenv)
			if err != nil {
				return nil, err
			}
			return replicateapi.NewClient(cfg)
		})}, nil
	}
	return startSimulator(io, simulator.Config{OnEvent: func(e simulator.Event) {
		log.Debug("simulator: " + simEventLine(e))
	}})
}

// startSimulator starts an in-process simulator configured by cfg on
// loopback, and a client for it.
func startSimulator(io *IOStreams, cfg simulator.Config) (*apiSession, error) {
	sim, err := simulator.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("starting simulator: %w", err)
	}
	base, err := sim.Start("127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting simulator: %w", err)
	}
	newProgress(io).infof("simulator: Replicate-compatible API at %s (offline)", base)
	c, err := replicateapi.NewClient(replicateapi.Config{Token: sim.Token(), BaseURL: base, UserAgent: userAgent()})
	return &apiSession{Client: func() (*replicate.Client, error) { return c, err }, sim: sim}, nil
}

// Secret is the webhook signing secret: the simulator's own when simulating
// (whatever the environment holds, which belongs to the real account),
// else REPLICATE_WEBHOOK_SECRET, else fetched with the API token.
func (a *apiSession) Secret(ctx context.Context) (*webhook.Secret, error) {
	if a.sim != nil {
		s, err := webhook.ParseSecret(a.sim.Secret())
		return &s, err
	}
	return resolveSecret(ctx, a.getenv, a.Client)
}

// config is how to reach the API: the simulator's, or the environment's.
func (a *apiSession) config() (replicateapi.Config, error) {
	if a.sim != nil {
		return replicateapi.Config{Token: a.sim.Token(), BaseURL: a.sim.BaseURL(), UserAgent: userAgent()}, nil
	}
	return apiConfigFromEnv(a.getenv)
}

// origin is the API's base URL and token: downloads send the token to
// that host only.
func (a *apiSession) origin() (base, token string) {
	cfg, err := a.config()
	if err != nil {
		return "", ""
	}
	return cfg.BaseURL, cfg.Token
}

// streamClient is a client for reading a prediction's stream: without the
// bound on each request's length, since a stream lasts as long as the
// prediction runs; its context ends it.
func (a *apiSession) streamClient() (*replicate.Client, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	cfg.Timeout = -1
	return replicateapi.NewClient(cfg)
}

// Close stops the simulator, if one was started.
func (a *apiSession) Close() error {
	if a.sim != nil {
		return a.sim.Close()
	}
	return nil
}

func userAgent() string { return "notifier/" + versionString() }

// apiConfigFromEnv reads REPLICATE_API_TOKEN and REPLICATE_BASE_URL.
func apiConfigFromEnv(getenv func(string) string) (replicateapi.Config, error) {
	cfg := replicateapi.Config{Token: strings.TrimSpace(getenv(envAPIToken)), BaseURL: getenv(envBaseURL), UserAgent: userAgent()}
	if cfg.BaseURL == "" {
		cfg.BaseURL = defaultBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, withCode(exitUsage, fmt.Errorf("%s is not an absolute http(s) URL", envBaseURL),
			"set it to the API base URL including /v1, e.g. "+defaultBaseURL)
	}
	if !strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), "/v1") {
		return cfg, withCode(exitUsage, fmt.Errorf("%s must end in /v1, as Replicate's API does", envBaseURL),
			"e.g. "+envBaseURL+"="+strings.TrimSuffix(cfg.BaseURL, "/")+"/v1")
	}
	if cfg.Token == "" {
		return cfg, withCode(exitUsage, fmt.Errorf("%s is not set", envAPIToken),
			"create a token at https://replicate.com/account/api-tokens and export "+envAPIToken+"=r8_...",
			"or try notifier offline with --simulate")
	}
	return cfg, nil
}

// resolveSecret finds the webhook signing secret: REPLICATE_WEBHOOK_SECRET,
// else fetched once with the API token (docs/replicate.md, "Requests").
func resolveSecret(ctx context.Context, getenv func(string) string, client func() (*replicate.Client, error)) (*webhook.Secret, error) {
	if v := strings.TrimSpace(getenv(envWebhookSecret)); v != "" {
		s, err := webhook.ParseSecret(v)
		if err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("%s is not a valid signing secret: %w", envWebhookSecret, err),
				"it looks like whsec_ followed by base64; copy it from https://replicate.com/account/webhook")
		}
		return &s, nil
	}
	c, err := client()
	if err != nil {
		return nil, withHint(err, "or set "+envWebhookSecret+" to verify webhooks without a token")
	}
	octx, obs := replicateapi.Observe(ctx)
	ws, err := c.GetDefaultWebhookSecret(octx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		// replicate-go drops the cause here; the transport kept it.
		return nil, withHint(fmt.Errorf("fetching the webhook signing secret: %s", obs.Describe()),
			secretFetchHint(obs), "or set "+envWebhookSecret+" (see https://replicate.com/account/webhook)")
	}
	s, err := webhook.ParseSecret(ws.Key)
	if err != nil {
		return nil, fmt.Errorf("the API returned an invalid webhook signing secret: %w", err)
	}
	return &s, nil
}

// secretFetchHint says what to check when fetching the signing secret
// failed, by how it failed: the token is to blame only for a 401 or 403.
func secretFetchHint(obs *replicateapi.Observation) string {
	status, err := obs.Outcome()
	switch {
	case err != nil:
		return "check your network and " + envBaseURL
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "check " + envAPIToken + "; tokens are at https://replicate.com/account/api-tokens"
	case status == http.StatusTooManyRequests:
		return "the API is throttling requests; try again in a moment"
	case status >= 500:
		return "the API is having trouble; try again in a moment"
	case status == http.StatusNotFound:
		return "check " + envBaseURL + ": it must be the API's base URL, ending in /v1"
	}
	return "check " + envAPIToken + " and " + envBaseURL
}

// detailLine puts a problem's detail on one line: a 422 lists each invalid
// field on a line of its own ("- input.x: ..."), which become "; "-separated.
func detailLine(detail string) string {
	var parts []string
	for l := range strings.SplitSeq(detail, "\n") {
		if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- ")); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}

// apiError turns a replicate-go error into one clear line with hints.
// doing is what was being done, e.g. "creating prediction".
func apiError(doing string, err error) error {
	var ae *replicate.APIError
	if errors.As(err, &ae) {
		msg := strings.Trim(strings.TrimSpace(ae.Title+": "+detailLine(ae.Detail)), ": ")
		if msg == "" {
			msg = http.StatusText(ae.Status)
		}
		e := fmt.Errorf("%s: %s (HTTP %d)", doing, msg, ae.Status)
		switch {
		case ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden:
			return withHint(e, "check "+envAPIToken+"; tokens are at https://replicate.com/account/api-tokens")
		case ae.Status == http.StatusNotFound || ae.Status == http.StatusUnprocessableEntity:
			return withHint(e, "check the model, version and inputs on its page at https://replicate.com")
		case ae.Status == http.StatusTooManyRequests:
			return withHint(e, "the API is throttling requests; try again in a moment")
		case ae.Status >= 500:
			return withHint(e, "the API had an internal error; try again in a moment")
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
			cause = fmt.Errorf("timed out after %s", replicateapi.DefaultTimeout)
		}
		return withHint(fmt.Errorf("%s: cannot reach the Replicate API at %s: %v", doing, host, cause),
			"check your network and "+envBaseURL)
	}
	return withHint(fmt.Errorf("%s: %w", doing, err))
}

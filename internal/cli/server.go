package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/tunnel"
	"github.com/notifier-dev/notifier/internal/webhook"
	"github.com/replicate/replicate-go"
)

// tunnelFlags are the flags that say how webhooks reach notifier.
type tunnelFlags struct {
	Mode      string
	PublicURL string
	Listen    string
	Timeout   time.Duration
}

// Test-only settings: point the ngrok agent at a fake ngrok service
// (internal/ngroktest) and trust its CA. Not documented for users.
const (
	envTestNgrokConnectURL = "NOTIFIER_TEST_NGROK_CONNECT_URL"
	envTestNgrokCAFile     = "NOTIFIER_TEST_NGROK_CA_FILE"
)

// config turns the flags and environment into a tunnel configuration.
// defaultMode applies when --tunnel was not given; --public-url implies --tunnel none.
func (t tunnelFlags) config(modeSet bool, defaultMode tunnel.Mode, getenv func(string) string) (tunnel.Config, error) {
	cfg := tunnel.Config{Mode: defaultMode, ListenAddr: t.Listen, ConnectTimeout: t.Timeout, Version: versionString()}
	if modeSet {
		m, err := tunnel.ParseMode(t.Mode)
		if err != nil {
			return cfg, usageErrorf("%v", err)
		}
		cfg.Mode = m
	}
	if t.Timeout <= 0 {
		return cfg, usageErrorf("--tunnel-timeout must be positive")
	}
	if t.PublicURL != "" {
		if modeSet && cfg.Mode != tunnel.ModeNone {
			return cfg, usageErrorf("--public-url cannot be combined with --tunnel %s", cfg.Mode)
		}
		u, err := tunnel.ParsePublicURL(t.PublicURL)
		if err != nil {
			return cfg, usageErrorf("%v", err)
		}
		cfg.Mode, cfg.PublicURL = tunnel.ModeNone, u
	}
	if cfg.Mode != tunnel.ModeNgrok {
		return cfg, nil
	}
	cfg.Authtoken = strings.TrimSpace(getenv(envNgrokToken))
	cfg.Domain = strings.TrimSpace(getenv(envNgrokDomain))
	cfg.ConnectURL = getenv(envTestNgrokConnectURL)
	if f := getenv(envTestNgrokCAFile); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return cfg, fmt.Errorf("reading %s: %w", envTestNgrokCAFile, err)
		}
		cfg.ConnectCAs = x509.NewCertPool()
		cfg.ConnectCAs.AppendCertsFromPEM(pem)
	}
	return cfg, nil
}

// tunnelError explains why the tunnel did not open, with what to do about it.
func tunnelError(err error, timeout time.Duration) error {
	const alternatives = "or bring your own tunnel with --public-url https://... (it must reach --listen), or try offline with --simulate"
	var refused *tunnel.RefusedError
	var slow *tunnel.ConnectTimeoutError
	switch {
	case errors.Is(err, tunnel.ErrNoAuthtoken):
		return withHint(fmt.Errorf("opening tunnel: %s is not set", envNgrokToken),
			"get an authtoken at https://dashboard.ngrok.com/get-started/your-authtoken and export "+envNgrokToken+"=...",
			alternatives)
	case errors.As(err, &refused):
		return withHint(fmt.Errorf("opening tunnel: %w", err), refused.Advice())
	case errors.As(err, &slow):
		return withHint(fmt.Errorf("opening tunnel: %w", err),
			fmt.Sprintf("check your network or firewall (ngrok needs outbound TLS), or raise --tunnel-timeout (now %s)", timeout),
			alternatives)
	}
	return fmt.Errorf("opening tunnel: %w", err)
}

// webhookServer is a running webhook listener and the URL that reaches it.
type webhookServer struct {
	URL   string // full webhook URL, path included
	Local bool   // URL is reachable only from this machine
	close func() error
}

// startServer opens the tunnel and serves the listener on it until Close.
func startServer(ctx context.Context, tc tunnel.Config, lc listener.Config) (*webhookServer, error) {
	l, err := listener.New(lc)
	if err != nil {
		return nil, err
	}
	tun, err := tunnel.Open(ctx, tc)
	if err != nil {
		l.Close()
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, tunnelError(err, tc.ConnectTimeout)
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() {
		done <- l.Serve(sctx, tun.Listener)
		tun.Close()
	}()
	return &webhookServer{URL: tun.URL + l.Path(), Local: tun.Local, close: sync.OnceValue(func() error {
		cancel()
		return <-done
	})}, nil
}

// Close shuts the listener down gracefully, after every queued delivery was
// handled. It may be called more than once.
func (s *webhookServer) Close() error { return s.close() }

// resolveSecret finds the webhook signing secret: REPLICATE_WEBHOOK_SECRET, else
// fetched once with the API token (REPLICATE.md §1).
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
	octx, obs := observe(ctx)
	ws, err := c.GetDefaultWebhookSecret(octx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		// replicate-go drops the cause here (REPLICATE.md §3); the transport kept it.
		return nil, withHint(fmt.Errorf("fetching the webhook signing secret: %s", obs.describe()),
			"check "+envAPIToken+" and "+envBaseURL+", or set "+envWebhookSecret+" (see https://replicate.com/account/webhook)")
	}
	s, err := webhook.ParseSecret(ws.Key)
	if err != nil {
		return nil, fmt.Errorf("the API returned an invalid webhook signing secret: %w", err)
	}
	return &s, nil
}

// warnings are what a user should know about the webhook URL before relying on it.
func (s *webhookServer) warnings() []string {
	if !s.Local && strings.HasPrefix(s.URL, "http://") {
		return []string{"the webhook URL is plain HTTP; Replicate delivers webhooks only to HTTPS URLs with a valid certificate"}
	}
	return nil
}

package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

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
}

// config turns the flags into a tunnel configuration. defaultMode applies
// when --tunnel was not given; --public-url implies --tunnel none.
func (t tunnelFlags) config(modeSet bool, defaultMode tunnel.Mode) (tunnel.Config, error) {
	cfg := tunnel.Config{Mode: defaultMode, ListenAddr: t.Listen}
	if modeSet {
		m, err := tunnel.ParseMode(t.Mode)
		if err != nil {
			return cfg, usageErrorf("%v", err)
		}
		cfg.Mode = m
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
	return cfg, nil
}

// webhookServer is a running webhook listener and the URL that reaches it.
type webhookServer struct {
	URL    string // full webhook URL, path included
	Local  bool   // URL is reachable only from this machine
	cancel context.CancelFunc
	done   chan error
	close  func() error
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
		if errors.Is(err, tunnel.ErrNgrokUnavailable) {
			return nil, withHint(fmt.Errorf("opening tunnel: %w", err),
				"use your own tunnel with --public-url https://... (it must reach --listen), or --tunnel none on a reachable host",
				"or try notifier offline with --simulate")
		}
		return nil, fmt.Errorf("opening tunnel: %w", err)
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &webhookServer{URL: tun.URL + l.Path(), Local: tun.Local, cancel: cancel, done: make(chan error, 1)}
	s.close = sync.OnceValue(func() error {
		s.cancel()
		return <-s.done
	})
	go func() {
		s.done <- l.Serve(sctx, tun.Listener)
		tun.Close()
	}()
	return s, nil
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

package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/tunnel"
)

// tunnelFlags are the flags that say how webhooks reach notifier.
type tunnelFlags struct {
	Mode      string
	PublicURL string
	Listen    string
	Timeout   time.Duration
	modeSet   bool // --tunnel was given
	listenSet bool // --listen was given
	// alternatives is the hint naming the other ways for this command.
	alternatives string
}

// Hints naming the ways besides ngrok, for each command.
const (
	runAlternatives    = "or bring your own tunnel with --public-url https://... --listen ADDR, or try offline with --simulate"
	listenAlternatives = "or bring your own tunnel with --public-url https://... --listen ADDR, or serve locally with --tunnel none"
)

// addTunnelFlags registers --tunnel, --public-url, --listen and --tunnel-timeout.
func addTunnelFlags(cmd *cobra.Command, t *tunnelFlags) {
	fl := cmd.Flags()
	fl.StringVar(&t.Mode, "tunnel", "ngrok", "How Replicate reaches the listener: ngrok or none.")
	fl.StringVar(&t.PublicURL, "public-url", "", "A public base URL that already reaches --listen (your own tunnel); implies --tunnel none.")
	fl.StringVar(&t.Listen, "listen", "127.0.0.1:0", "Local address of the webhook server.")
	fl.DurationVar(&t.Timeout, "tunnel-timeout", tunnel.DefaultConnectTimeout, "Give up connecting to ngrok after this long.")
}

// config turns the flags and environment into a tunnel configuration.
// defaultMode applies when --tunnel was not given; --public-url implies --tunnel none.
func (t tunnelFlags) config(defaultMode tunnel.Mode, getenv func(string) string, hooks TestHooks) (tunnel.Config, error) {
	cfg := tunnel.Config{Mode: defaultMode, ListenAddr: t.Listen, ConnectTimeout: t.Timeout, Version: versionString()}
	if t.modeSet {
		m, err := tunnel.ParseMode(t.Mode)
		if err != nil {
			return cfg, usageErrorf("%v", err)
		}
		cfg.Mode = m
	}
	if t.Timeout <= 0 {
		return cfg, usageErrorf("--tunnel-timeout must be positive")
	}
	if err := checkListenAddr(t.Listen); err != nil {
		return cfg, err
	}
	if t.PublicURL != "" && !t.listenSet {
		return cfg, usageErrorf("--public-url needs --listen: the local address your tunnel forwards to, e.g. --public-url %s --listen 127.0.0.1:8080", t.PublicURL)
	}
	if t.PublicURL != "" {
		if t.modeSet && cfg.Mode != tunnel.ModeNone {
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
	if cfg.Authtoken == "" {
		// Missing configuration is a usage error, found before anything starts.
		return cfg, withCode(exitUsage, fmt.Errorf("the ngrok tunnel needs %s", envNgrokToken),
			"get an authtoken at https://dashboard.ngrok.com/get-started/your-authtoken and export "+envNgrokToken+"=...",
			t.alternatives)
	}
	cfg.Domain = strings.TrimSpace(getenv(envNgrokDomain))
	cfg.ConnectURL, cfg.ConnectCAs = hooks.NgrokConnectURL, hooks.NgrokCAs
	return cfg, nil
}

// checkListenAddr checks a --listen address: host:port, the host optional.
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		if _, perr := strconv.ParseUint(port, 10, 16); perr == nil || port == "" {
			return nil
		}
		err = errors.New("the port must be a number from 0 to 65535")
	}
	if _, perr := strconv.ParseUint(addr, 10, 16); perr == nil {
		return usageError(fmt.Errorf("invalid --listen %q: want host:port", addr), "e.g. --listen 127.0.0.1:"+addr)
	}
	return usageError(fmt.Errorf("invalid --listen %q: %v", addr, oneLine(strings.TrimPrefix(err.Error(), "address "+addr+": "))),
		"e.g. --listen 127.0.0.1:8080 (this machine only) or --listen :8080 (every interface)")
}

// tunnelError explains why the listener could not be opened, with what to
// do about it.
func tunnelError(err error, tc tunnel.Config, alternatives string) error {
	var refused *tunnel.RefusedError
	var slow *tunnel.ConnectTimeoutError
	var unreachable *tunnel.UnreachableError
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return withHint(fmt.Errorf("listening on %s: the address is already in use", tc.ListenAddr),
			"another program, or another notifier, serves on it: choose another port with --listen, or stop that one")
	case errors.Is(err, syscall.EACCES):
		return withHint(fmt.Errorf("listening on %s: permission denied", tc.ListenAddr),
			"ports below 1024 need privileges: choose a higher port with --listen")
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return withHint(fmt.Errorf("listening on %s: no interface of this machine has that address", tc.ListenAddr),
			"use 127.0.0.1:PORT for this machine only, or :PORT for every interface")
	case tc.Mode != tunnel.ModeNgrok:
		return fmt.Errorf("listening for webhooks: %w", err)
	case errors.Is(err, tunnel.ErrNoAuthtoken):
		return withHint(fmt.Errorf("opening tunnel: %s is not set", envNgrokToken),
			"get an authtoken at https://dashboard.ngrok.com/get-started/your-authtoken and export "+envNgrokToken+"=...",
			alternatives)
	case errors.As(err, &refused):
		return withHint(fmt.Errorf("opening tunnel: %w", err), ngrokAdvice(refused.Code))
	case errors.As(err, &unreachable):
		return withHint(fmt.Errorf("opening tunnel: %w", err),
			"check your network and DNS: ngrok needs to resolve and reach its service over outbound TLS (port 443)",
			alternatives)
	case errors.As(err, &slow):
		return withHint(fmt.Errorf("opening tunnel: %w", err),
			fmt.Sprintf("check your network or firewall (ngrok needs outbound TLS), or raise --tunnel-timeout (now %s)", tc.ConnectTimeout),
			alternatives)
	}
	return withHint(fmt.Errorf("opening tunnel: %w", err), alternatives)
}

// ngrokAdvice says what to do about the refusals users meet most.
func ngrokAdvice(code string) string {
	const token = "copy yours from https://dashboard.ngrok.com/get-started/your-authtoken into " + envNgrokToken
	switch code {
	case "ERR_NGROK_105", "ERR_NGROK_107":
		return "the authtoken is not valid: " + token
	case "ERR_NGROK_108":
		return "a free ngrok account allows one agent session at a time: stop the other ngrok agent, " +
			"or use your own tunnel with --public-url, or a paid plan; parallel CI jobs should use --public-url (or run --simulate)"
	case "ERR_NGROK_4018":
		return "ngrok needs a verified account: sign up at https://dashboard.ngrok.com/signup and put your authtoken in " + envNgrokToken
	case "ERR_NGROK_334":
		return "the endpoint is already online: stop the other agent serving it (or wait a minute for a dropped one to expire), " +
			"and check that " + envNgrokDomain + " is a domain reserved on your account"
	case "":
		return ""
	}
	return "see https://ngrok.com/docs/errors/" + strings.ToLower(code)
}

// webhookServer is a running webhook listener and the URL that reaches it.
type webhookServer struct {
	URL   string // full webhook URL, path included
	Local bool   // URL is reachable only from this machine
	stop  context.CancelFunc
	done  chan error
	err   func() error
}

// errDrainAbandoned means the server stopped without handing every queued
// delivery on: its consumer (stdout, usually) did not keep up within the
// grace period.
var errDrainAbandoned = errors.New("deliveries still queued were not handled: output blocked")

// startServer opens the tunnel and serves the listener on it until Close;
// alternatives is the hint naming the other ways, should ngrok fail.
func startServer(ctx context.Context, tc tunnel.Config, lc listener.Config, pr *progress, alternatives string) (*webhookServer, error) {
	l, err := listener.New(lc)
	if err != nil {
		return nil, err
	}
	if tc.Mode == tunnel.ModeNgrok {
		pr.infof("connecting to ngrok…")
	}
	tun, err := tunnel.Open(ctx, tc)
	if err != nil {
		l.Close()
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, tunnelError(err, tc, alternatives)
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &webhookServer{URL: tun.URL + l.Path(), Local: tun.Local, stop: cancel, done: make(chan error, 1)}
	go func() {
		s.done <- l.Serve(sctx, tun.Listener)
		tun.Close()
	}()
	s.err = sync.OnceValue(func() error { return <-s.done })
	return s, nil
}

// Close stops accepting deliveries and waits until every queued one was
// handled, or until ctx ends (errDrainAbandoned). It may be called more than
// once.
func (s *webhookServer) Close(ctx context.Context) error {
	s.stop()
	res := make(chan error, 1)
	go func() { res <- s.err() }()
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return errDrainAbandoned
	}
}

// warnings are what a user should know about the webhook URL before relying on it.
func (s *webhookServer) warnings() []string {
	if !s.Local && strings.HasPrefix(s.URL, "http://") {
		return []string{"the webhook URL is plain HTTP; Replicate delivers webhooks only to HTTPS URLs with a valid certificate"}
	}
	return nil
}

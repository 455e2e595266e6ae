package tunnel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.ngrok.com/ngrok/v2"
)

// openNgrok opens an ngrok endpoint and returns it as a Tunnel. It works
// around the traps of ngrok-go v2.4.0 (docs/replicate.md, "ngrok"):
//
//   - no authtoken: ErrNoAuthtoken at once, without touching the network;
//   - the service refuses the session or the endpoint: a *RefusedError at
//     the first refusal, instead of retrying forever;
//   - the service is out of reach: a *ConnectTimeoutError after
//     cfg.ConnectTimeout, instead of retrying forever;
//   - the session context lives as long as the tunnel, since ngrok-go closes
//     the endpoint when it ends; the connect deadline is a separate timer.
//
// After any failure the agent is disconnected and nothing of it is waited
// on; ngrok-go's reconnect goroutine may still finish its current backoff
// sleep (at most 30s) before it notices and exits.
func openNgrok(ctx context.Context, cfg Config) (*Tunnel, error) {
	token := strings.TrimSpace(cfg.Authtoken)
	if token == "" {
		return nil, ErrNoAuthtoken
	}
	timeout := cfg.ConnectTimeout
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	// The session context lives as long as the tunnel: ngrok-go closes the
	// endpoint when it ends (trap 2).
	sessCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w := &watcher{token: token, cancel: cancel, onEvent: cfg.OnEvent}
	agent, err := ngrok.NewAgent(agentOptions(cfg, token, w.handle)...)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("starting ngrok agent: %w", scrubErr(err, token))
	}

	// The connect deadline and the caller's ctx end the session context
	// only until Listen returns.
	var timedOut atomic.Bool
	timer := time.AfterFunc(timeout, func() {
		timedOut.Store(true)
		cancel()
	})
	stopParent := context.AfterFunc(ctx, cancel)
	ln, err := agent.Listen(sessCtx, endpointOptions(cfg)...)
	timer.Stop()
	parentLive := stopParent()
	late := timedOut.Load()

	if err == nil && !late && parentLive {
		return &Tunnel{
			Listener: ln,
			URL:      strings.TrimSuffix(ln.URL().String(), "/"),
			close: sync.OnceValue(func() error {
				return shutdown(w, agent, cancel)
			}),
		}, nil
	}
	_ = shutdown(w, agent, cancel)
	return nil, connectError(ctx, w, err, late, timeout)
}

// connectError explains why the connect failed, most specific reason first.
func connectError(ctx context.Context, w *watcher, err error, late bool, timeout time.Duration) error {
	refused, unreachable, last := w.outcome()
	switch {
	case refused != nil:
		return refused
	case unreachable != nil:
		return &UnreachableError{Err: unreachable}
	case err != nil && refusal(err, w.token) != nil:
		return refusal(err, w.token) // bind refusals come back from Listen
	case late:
		return &ConnectTimeoutError{After: timeout, Last: last}
	case ctx.Err() != nil:
		return fmt.Errorf("opening ngrok tunnel: %w", context.Cause(ctx))
	case err != nil:
		return fmt.Errorf("opening ngrok tunnel: %w", scrubErr(err, w.token))
	}
	return errors.New("opening ngrok tunnel: interrupted")
}

// shutdown ends the agent session, which also takes the endpoint offline
// and ends Accept on its listener.
func shutdown(w *watcher, agent ngrok.Agent, cancel context.CancelFunc) error {
	w.stop()
	err := agent.Disconnect()
	cancel()
	if err != nil {
		return fmt.Errorf("closing ngrok tunnel: %w", scrubErr(err, w.token))
	}
	return nil
}

// agentOptions configures the agent.
func agentOptions(cfg Config, token string, handle ngrok.EventHandler) []ngrok.AgentOption {
	logger := slog.New(slog.DiscardHandler)
	if cfg.Logger != nil {
		// The agent logs what the service says, which may quote the token.
		logger = scrubLogger(cfg.Logger, token)
	}
	version := cfg.Version
	if version == "" {
		version = "dev"
	}
	opts := []ngrok.AgentOption{
		ngrok.WithAuthtoken(token),
		ngrok.WithLogger(logger),
		ngrok.WithClientInfo("notifier", version),
		ngrok.WithEventHandler(handle),
	}
	if cfg.ConnectURL != "" {
		opts = append(opts, ngrok.WithAgentConnectURL(cfg.ConnectURL))
	}
	if cfg.heartbeat > 0 {
		opts = append(opts, ngrok.WithHeartbeatInterval(cfg.heartbeat))
	}
	if cfg.heartbeatTolerance > 0 {
		opts = append(opts, ngrok.WithHeartbeatTolerance(cfg.heartbeatTolerance))
	}
	if cfg.ConnectCAs != nil {
		opts = append(opts, ngrok.WithAgentConnectCAs(cfg.ConnectCAs))
	}
	return opts
}

// endpointOptions asks for cfg.Domain, if set.
func endpointOptions(cfg Config) []ngrok.EndpointOption {
	d := strings.TrimSpace(cfg.Domain)
	d = strings.TrimPrefix(strings.TrimPrefix(d, "https://"), "http://")
	d = strings.TrimSuffix(d, "/")
	if d == "" {
		return nil
	}
	return []ngrok.EndpointOption{ngrok.WithURL("https://" + d)}
}

// Package tunnel opens the listener that webhooks reach and tells its public URL.
package tunnel

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"
)

// Mode selects how the webhook listener is reached from the outside.
type Mode string

const (
	// ModeNgrok opens an embedded ngrok tunnel (golang.ngrok.com/ngrok/v2).
	ModeNgrok Mode = "ngrok"
	// ModeNone serves on the local address only; PublicURL, when set, is what reaches it.
	ModeNone Mode = "none"
)

// DefaultConnectTimeout bounds the ngrok connect when Config.ConnectTimeout
// is zero.
const DefaultConnectTimeout = 20 * time.Second

// Config says how to open the tunnel. The fields after PublicURL apply to
// ModeNgrok only.
type Config struct {
	Mode       Mode
	ListenAddr string // local address to bind, e.g. "127.0.0.1:0"
	PublicURL  string // a base URL that already reaches ListenAddr (the user's own tunnel)

	// Authtoken is the ngrok authtoken (NGROK_AUTHTOKEN); required.
	Authtoken string
	// Domain is a reserved domain to serve on (NGROK_DOMAIN), such as
	// "hooks.example.com"; empty means one ngrok assigns.
	Domain string
	// ConnectTimeout bounds connecting and binding; zero means
	// DefaultConnectTimeout. The tunnel itself lives until Tunnel.Close.
	ConnectTimeout time.Duration
	// Version is notifier's version, sent to ngrok as client info.
	Version string
	// Logger receives the ngrok agent's logs, with the authtoken replaced
	// by [authtoken] wherever it appears; nil discards them (without a
	// logger, ngrok-go would log its warnings to slog.Default, on stderr).
	Logger *slog.Logger
	// OnEvent, when set, hears of the tunnel going down and coming back
	// after it first opened. It is called from the agent's goroutine, in
	// order, and must not block.
	OnEvent func(Event)

	// ConnectURL and ConnectCAs point the agent at another ngrok service,
	// such as the fake in internal/ngroktest. For tests only.
	ConnectURL string
	ConnectCAs *x509.CertPool

	// heartbeat and heartbeatTolerance override the agent's (10s and 15s)
	// in tests: muxado's heartbeat goroutines notice a closed session only
	// at their next beat, and those of a dropped session only when the
	// tolerance runs out, so leak checks would wait that long.
	heartbeat, heartbeatTolerance time.Duration
}

// Tunnel is an open listener and the base URL at which it is reached.
type Tunnel struct {
	Listener net.Listener
	// URL is the base URL without a trailing slash; the webhook path is appended to it.
	URL string
	// Local reports whether URL is only reachable from this machine.
	Local bool

	close func() error // set for ngrok: ends the agent session too
}

// Close closes the listener and, for ngrok, disconnects the agent.
func (t *Tunnel) Close() error {
	if t.close != nil {
		return t.close()
	}
	return t.Listener.Close()
}

// ParseMode validates a --tunnel value.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case ModeNgrok, ModeNone:
		return Mode(s), nil
	}
	return "", fmt.Errorf("invalid tunnel mode %q: want ngrok or none", s)
}

// ParsePublicURL validates a --public-url value: an absolute http or https URL
// without query or fragment. It returns the URL without a trailing slash.
func ParsePublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("invalid public URL %q: want an absolute http(s) URL such as https://example.ngrok.app", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("invalid public URL %q: it must not have a query or fragment", s)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// Open binds the listener. For ModeNone it listens on cfg.ListenAddr and uses
// PublicURL, or the bound local address when PublicURL is empty. For
// ModeNgrok it opens an ngrok endpoint (see openNgrok for its errors); ctx
// bounds only the connect, and the tunnel lives until Close.
func Open(ctx context.Context, cfg Config) (*Tunnel, error) {
	if cfg.Mode == ModeNgrok {
		return openNgrok(ctx, cfg)
	}
	addr := cfg.ListenAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	if cfg.PublicURL != "" {
		return &Tunnel{Listener: ln, URL: strings.TrimSuffix(cfg.PublicURL, "/")}, nil
	}
	return &Tunnel{Listener: ln, URL: "http://" + localHost(ln.Addr()), Local: true}, nil
}

// localHost renders a bound address as a host:port reachable from this machine
// (an unspecified address such as 0.0.0.0 or [::] becomes 127.0.0.1).
func localHost(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
	}
	return tcp.String()
}

// Package tunnel opens the listener that webhooks reach and tells its public URL.
package tunnel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Mode selects how the webhook listener is reached from the outside.
type Mode string

const (
	// ModeNgrok opens an embedded ngrok tunnel (not available yet; see ErrNgrokUnavailable).
	ModeNgrok Mode = "ngrok"
	// ModeNone serves on the local address only; PublicURL, when set, is what reaches it.
	ModeNone Mode = "none"
)

// ErrNgrokUnavailable is returned for ModeNgrok until the embedded tunnel lands.
var ErrNgrokUnavailable = errors.New("the ngrok tunnel is not available in this version of notifier")

// Config says how to open the tunnel.
type Config struct {
	Mode       Mode
	ListenAddr string // local address to bind, e.g. "127.0.0.1:0"
	PublicURL  string // a base URL that already reaches ListenAddr (the user's own tunnel)
}

// Tunnel is an open listener and the base URL at which it is reached.
type Tunnel struct {
	Listener net.Listener
	// URL is the base URL without a trailing slash; the webhook path is appended to it.
	URL string
	// Local reports whether URL is only reachable from this machine.
	Local bool
}

// Close closes the listener.
func (t *Tunnel) Close() error { return t.Listener.Close() }

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
// PublicURL, or the bound local address when PublicURL is empty.
func Open(ctx context.Context, cfg Config) (*Tunnel, error) {
	if cfg.Mode == ModeNgrok {
		return nil, ErrNgrokUnavailable
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

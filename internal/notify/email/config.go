// Package email builds notification emails for predictions and sends them over SMTP.
package email

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Mode is how the connection to the SMTP server is secured (docs/replicate.md, "Email").
type Mode int

const (
	// ModeSTARTTLS upgrades a plain connection with STARTTLS and refuses to
	// continue if the server does not offer it (smtp://, default port 587).
	ModeSTARTTLS Mode = iota
	// ModeTLS speaks TLS from the first byte (smtps://, default port 465).
	ModeTLS
	// ModeNone sends in the clear, for local relays (smtp://...?tls=none, default port 25).
	ModeNone
)

// String names the mode as the tls= URL parameter spells it.
func (m Mode) String() string {
	switch m {
	case ModeSTARTTLS:
		return "starttls"
	case ModeTLS:
		return "tls"
	case ModeNone:
		return "none"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// redactedPassword replaces the password wherever a config is shown.
const redactedPassword = "xxxxx"

// SMTPConfig is a parsed NOTIFIER_SMTP_URL. Its String, GoString and Format
// methods never show the password.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	Mode     Mode
}

// ParseSMTPURL parses smtp://user:pass@host:587 (STARTTLS required),
// smtps://user:pass@host:465 (implicit TLS) or smtp://host:25?tls=none (no TLS).
// Credentials may be percent-encoded. Errors never contain any part of the
// username or password: they never quote the URL, because url.Parse errors
// do, and they quote a query parameter only once it is certain that no
// credential spilled into the query.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	raw = strings.TrimSpace(raw)
	if userinfoSpills(raw) {
		return SMTPConfig{}, errors.New("invalid SMTP URL: a /, ? or # in the username or password " +
			"must be percent-encoded, as %2F, %3F or %23")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, errors.New("invalid SMTP URL: cannot parse it (percent-encode special " +
			"characters in the username and password, e.g. % as %25, a space as %20, / as %2F)")
	}
	var cfg SMTPConfig
	switch u.Scheme {
	case "smtp":
		cfg.Mode = ModeSTARTTLS
	case "smtps":
		cfg.Mode = ModeTLS
	case "":
		return SMTPConfig{}, errors.New("invalid SMTP URL: missing scheme (want smtp:// or smtps://)")
	default:
		return SMTPConfig{}, errors.New("invalid SMTP URL: unsupported scheme (want smtp:// or smtps://)")
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return SMTPConfig{}, errors.New("invalid SMTP URL: want scheme://[user:password@]host[:port] " +
			"(percent-encode special characters in the username and password)")
	}
	if err := cfg.applyQuery(u.Query()); err != nil {
		return SMTPConfig{}, err
	}
	if cfg.Host = u.Hostname(); cfg.Host == "" {
		return SMTPConfig{}, errors.New("invalid SMTP URL: missing host")
	}
	if strings.Contains(cfg.Host, ":") && !strings.HasPrefix(u.Host, "[") {
		// url.Parse takes smtp://a:b:25 for host "a:b", port 25.
		return SMTPConfig{}, errors.New("invalid SMTP URL: want host[:port] after the credentials " +
			"(an IPv6 address goes in brackets, e.g. smtp://[::1]:25)")
	}
	if cfg.Port, err = parsePort(u.Port(), cfg.Mode); err != nil {
		return SMTPConfig{}, err
	}
	if err := cfg.applyUser(u.User); err != nil {
		return SMTPConfig{}, err
	}
	return cfg, nil
}

// userinfoSpills reports whether an '@' comes after the end of the
// authority, at the first '/', '?' or '#' after "scheme://". No valid SMTP
// URL has one there (the path is empty, the only parameter is tls=none, a
// fragment is refused), so the '@' is the one that ends the credentials,
// and one of them holds an unescaped '/', '?' or '#': url.Parse would take
// the rest of them for the path, the query or the fragment, and the error
// about that part would quote them.
func userinfoSpills(raw string) bool {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return false
	}
	end := strings.IndexAny(rest, "/?#")
	return end >= 0 && strings.Contains(rest[end:], "@")
}

// applyQuery reads the tls= parameter, the only one accepted.
func (c *SMTPConfig) applyQuery(q url.Values) error {
	for key := range q {
		if key != "tls" {
			return fmt.Errorf("invalid SMTP URL: unknown parameter %q (only tls=none is accepted)", key)
		}
	}
	switch v := q.Get("tls"); {
	case v == "":
	case v == "none" && c.Mode == ModeSTARTTLS:
		c.Mode = ModeNone
	case v == "starttls" && c.Mode == ModeSTARTTLS:
	case v == "none" || v == "starttls":
		return fmt.Errorf("invalid SMTP URL: tls=%s contradicts smtps:// (implicit TLS)", v)
	default:
		return fmt.Errorf("invalid SMTP URL: unknown tls=%q (want tls=none for a local relay)", v)
	}
	return nil
}

// parsePort returns the explicit port, or the conventional one for mode.
func parsePort(s string, mode Mode) (int, error) {
	if s == "" {
		switch mode {
		case ModeTLS:
			return 465, nil
		case ModeNone:
			return 25, nil
		default:
			return 587, nil
		}
	}
	port, err := strconv.Atoi(s)
	if err != nil || port < 1 || port > 65535 {
		return 0, errors.New("invalid SMTP URL: port must be a number from 1 to 65535")
	}
	return port, nil
}

// applyUser copies the credentials. go-mail refuses to send a PLAIN password
// in the clear except to localhost (docs/replicate.md, "Email"), so that is caught here,
// before anything is created, rather than at the first send.
func (c *SMTPConfig) applyUser(user *url.Userinfo) error {
	if user == nil {
		return nil
	}
	c.Username = user.Username()
	c.Password, _ = user.Password()
	if c.Username == "" && c.Password != "" {
		return errors.New("invalid SMTP URL: a password without a username")
	}
	if c.Username != "" && c.Mode == ModeNone && !isLocalhost(c.Host) {
		return errors.New("invalid SMTP URL: credentials over tls=none are only sent to localhost; " +
			"use smtp:// (STARTTLS) or smtps:// (implicit TLS)")
	}
	return nil
}

// isLocalhost matches go-mail's own list of hosts it sends PLAIN credentials
// to without TLS.
func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Addr is host:port, ready to dial.
func (c SMTPConfig) Addr() string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// Redacted is the config as a URL with the password replaced by xxxxx,
// e.g. smtp://user:xxxxx@host:587.
func (c SMTPConfig) Redacted() string {
	u := url.URL{Scheme: "smtp", Host: c.Addr()}
	switch c.Mode {
	case ModeTLS:
		u.Scheme = "smtps"
	case ModeNone:
		u.RawQuery = "tls=none"
	}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, redactedPassword)
	}
	return u.String()
}

// String is Redacted.
func (c SMTPConfig) String() string { return c.Redacted() }

// GoString shows the fields with the password replaced.
func (c SMTPConfig) GoString() string {
	pass := ""
	if c.Password != "" {
		pass = redactedPassword
	}
	return fmt.Sprintf("email.SMTPConfig{Host:%q, Port:%d, Username:%q, Password:%q, Mode:%d}",
		c.Host, c.Port, c.Username, pass, int(c.Mode))
}

// Format makes every fmt verb show the redacted form: %#v is GoString, %q
// quotes Redacted, everything else prints Redacted.
func (c SMTPConfig) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, c.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", c.Redacted())
	default:
		fmt.Fprint(f, c.Redacted())
	}
}

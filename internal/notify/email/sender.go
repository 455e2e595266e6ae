package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/waitctx"

	"github.com/wneessen/go-mail"
)

// DefaultTimeout bounds one attempt: dial, TLS, AUTH and the message.
const DefaultTimeout = 30 * time.Second

// defaultBackoff is the wait before each retry: three attempts in all, the
// last one starting 3s after the first fails.
var defaultBackoff = []time.Duration{time.Second, 2 * time.Second}

// SenderOptions tunes a Sender. Zero fields take the documented defaults.
type SenderOptions struct {
	// TLSConfig verifies the server; nil means the system roots. ServerName
	// defaults to the SMTP host.
	TLSConfig *tls.Config
	// Timeout bounds each attempt (default DefaultTimeout).
	Timeout time.Duration
	// Backoff is the wait before each retry of a temporary failure; there are
	// len(Backoff)+1 attempts. nil means 1s then 2s; an empty, non-nil slice
	// means a single attempt. Tests pass tiny waits.
	Backoff []time.Duration
}

// Sender sends Messages through one SMTP server. It is safe for concurrent use.
type Sender struct {
	cfg       SMTPConfig
	from      string
	tlsConfig *tls.Config
	timeout   time.Duration
	backoff   []time.Duration
}

// NewSender checks the from address and prepares a Sender for cfg.
func NewSender(cfg SMTPConfig, from string, opts SenderOptions) (*Sender, error) {
	if cfg.Host == "" || cfg.Port == 0 {
		return nil, errors.New("incomplete SMTP configuration: missing host or port")
	}
	if err := CheckAddress(from); err != nil {
		return nil, fmt.Errorf("from address: %w", err)
	}
	s := &Sender{cfg: cfg, from: from, timeout: opts.Timeout, backoff: opts.Backoff}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.backoff == nil {
		s.backoff = defaultBackoff
	}
	s.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.TLSConfig != nil {
		s.tlsConfig = opts.TLSConfig.Clone()
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = cfg.Host
	}
	return s, nil
}

// CheckAddress reports whether addr is a valid email address, such as
// "ops@example.com" or "Ops <ops@example.com>".
func CheckAddress(addr string) error {
	if _, err := netmail.ParseAddress(addr); err != nil {
		return fmt.Errorf("invalid email address %q: %s", addr, strings.TrimPrefix(err.Error(), "mail: "))
	}
	return nil
}

// Send delivers msg to every address in to, as one multipart/alternative
// message with Date and Message-ID headers. Temporary failures (4xx replies,
// refused or dropped connections, timeouts) are retried after the backoff
// waits; permanent ones (5xx, AUTH, TLS) end it at once. A failure is an
// *Error whose text never contains the password.
func (s *Sender) Send(ctx context.Context, msg *Message, to []string) error {
	m, err := s.newMsg(msg, to)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		err := s.attempt(ctx, m)
		if err == nil || m.IsDelivered() {
			// The message went through even if closing the session failed;
			// sending again would deliver it twice.
			return nil
		}
		e := classify(err, s.cfg.Username, s.cfg.Password)
		e.Attempts = attempt
		if ctx.Err() != nil {
			return interrupted(ctx, e)
		}
		if !e.Temporary || attempt > len(s.backoff) {
			return e
		}
		if waitctx.Sleep(ctx, s.backoff[attempt-1]) != nil {
			return interrupted(ctx, e)
		}
	}
}

// interrupted reports the caller's cancellation rather than the failure it caused.
func interrupted(ctx context.Context, e *Error) *Error {
	return &Error{Kind: KindOther, Attempts: e.Attempts, Detail: "interrupted: " + ctx.Err().Error(), err: ctx.Err()}
}

// newMsg builds the go-mail message once, so retries carry the same Message-ID.
func (s *Sender) newMsg(msg *Message, to []string) (*mail.Msg, error) {
	if len(to) == 0 {
		return nil, errors.New("no recipients")
	}
	for _, addr := range to {
		if err := CheckAddress(addr); err != nil {
			return nil, err
		}
	}
	m := mail.NewMsg()
	if err := m.From(s.from); err != nil {
		return nil, fmt.Errorf("from address: %w", err)
	}
	if err := m.To(to...); err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	m.Subject(msg.Subject)
	m.SetDate()
	m.SetMessageID()
	m.SetUserAgent("notifier")
	// RFC 3834: tells auto-responders not to answer.
	m.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, msg.Text)
	m.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	return m, nil
}

// attempt dials, secures, authenticates and sends once, within the timeout.
// The connection is closed when ctx ends, so Ctrl-C does not wait for the
// SMTP deadline.
func (s *Sender) attempt(ctx context.Context, m *mail.Msg) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	defer stop()
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		conn, err := s.dial(ctx, network)
		if err == nil {
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
		return conn, err
	}
	client, err := mail.NewClient(s.cfg.Host, s.clientOptions(dial)...)
	if err != nil {
		return err
	}
	return client.DialAndSendWithContext(ctx, m)
}

// dial connects to the server, with the TLS handshake for implicit TLS.
// It dials cfg.Addr() itself: go-mail's "host:port" breaks IPv6 literals.
func (s *Sender) dial(ctx context.Context, network string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, s.cfg.Addr())
	if err != nil || s.cfg.Mode != ModeTLS {
		return conn, err
	}
	tc := tls.Client(conn, s.tlsConfig)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// clientOptions maps the mode to go-mail's policies (docs/replicate.md, "Email"). With
// a dial function, go-mail leaves the implicit TLS handshake to it; WithSSL
// still keeps it from attempting STARTTLS.
func (s *Sender) clientOptions(dial mail.DialContextFunc) []mail.Option {
	opts := []mail.Option{
		mail.WithPort(s.cfg.Port),
		mail.WithTimeout(s.timeout),
		mail.WithTLSConfig(s.tlsConfig),
		mail.WithDialContextFunc(dial),
	}
	switch s.cfg.Mode {
	case ModeTLS:
		opts = append(opts, mail.WithSSL())
	case ModeNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain),
			mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	return opts
}

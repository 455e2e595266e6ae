// Package smtptest runs an in-process SMTP server for tests: plain, STARTTLS
// or implicit TLS, optional AUTH PLAIN, injected failures, and a record of
// what it received. The CLI's testscript commands start it too.
package smtptest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/testcert"

	"github.com/emersion/go-smtp"
)

// Security is how clients connect to the server.
type Security int

const (
	// Plain offers no TLS (for smtp://host:port?tls=none).
	Plain Security = iota
	// StartTLS offers STARTTLS on a plain connection (for smtp://).
	StartTLS
	// ImplicitTLS speaks TLS from the first byte (for smtps://).
	ImplicitTLS
)

// Options configures a Server. The zero value is a plain server on
// 127.0.0.1 with a random port that accepts everything without AUTH.
type Options struct {
	// Addr is the listen address (default 127.0.0.1:0).
	Addr string
	// Security selects plain, STARTTLS or implicit TLS.
	Security Security
	// Username and Password, when Username is set, require AUTH PLAIN with
	// exactly these before MAIL FROM.
	Username, Password string
	// AuthReply, when set, offers AUTH PLAIN and refuses every AUTH, right
	// or wrong, with "535 5.7.8 " and AuthReply, in which {mech} stands for
	// the mechanism and {response} for the client's response as it sent
	// it, in base64. Some servers quote the refused AUTH line back like
	// this: "Authentication failed: {response}", "rejected: AUTH {mech} {response}".
	AuthReply string
	// FailFirst answers the first FailFirst MAIL FROM commands (of
	// authenticated sessions, when AUTH is required) with "451 4.3.0", like
	// a greylisting or overloaded server.
	FailFirst int
	// DropFirst closes the first DropFirst connections during EHLO
	// without a reply.
	DropFirst int
	// RejectRecipients are answered "550 5.1.1" at RCPT TO.
	RejectRecipients []string
	// Debug, when set, receives the SMTP conversation.
	Debug io.Writer
}

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte // as received after DATA, headers and body
}

// Server is a running test SMTP server. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	srv  *smtp.Server
	ln   net.Listener
	cert *testcert.Cert
	done chan struct{}

	mu           sync.Mutex
	msgs         []Message
	changed      chan struct{} // closed and replaced when msgs grows
	conns        int
	mails        int
	failed       int // MAIL commands answered 451 so far
	dropped      int // connections dropped so far
	authFailures int
}

// Start listens and serves until Close.
func Start(opts Options) (*Server, error) {
	cert, err := testcert.New("notifier smtptest")
	if err != nil {
		return nil, err
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, cert: cert, done: make(chan struct{}), changed: make(chan struct{})}
	s.ln = &countingListener{Listener: ln, onAccept: s.countConn}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12}
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true // go-mail sends PLAIN in the clear to 127.0.0.1 only
	srv.MaxMessageBytes = 10 << 20
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.Debug = opts.Debug
	switch opts.Security {
	case StartTLS:
		srv.TLSConfig = tlsConfig
	case ImplicitTLS:
		s.ln = tls.NewListener(s.ln, tlsConfig)
	}
	s.srv = srv
	go func() {
		defer close(s.done)
		_ = srv.Serve(s.ln)
	}()
	return s, nil
}

// Close stops the server and closes its connections.
func (s *Server) Close() error {
	err := s.srv.Close()
	// Serve may not have registered the listener with srv yet.
	s.ln.Close()
	<-s.done
	return err
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host is the IP address the server listens on.
func (s *Server) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// URL is a NOTIFIER_SMTP_URL for this server: smtp:// for StartTLS, smtps://
// for ImplicitTLS, smtp://...?tls=none for Plain, with the credentials.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.Host(), strconv.Itoa(s.Port()))}
	switch s.opts.Security {
	case ImplicitTLS:
		u.Scheme = "smtps"
	case Plain:
		u.RawQuery = "tls=none"
	}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	return u.String()
}

// CertPool trusts the server's certificate.
func (s *Server) CertPool() *x509.CertPool { return s.cert.Pool }

// CertPEM is the server's self-signed certificate in PEM, for a file that
// a child process trusts (SSL_CERT_FILE).
func (s *Server) CertPEM() []byte { return append([]byte(nil), s.cert.PEM...) }

// ClientTLSConfig is a client configuration that trusts the server.
func (s *Server) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.cert.Pool, MinVersion: tls.VersionTLS12}
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitMessages waits until at least n messages were accepted and returns
// them all, or returns ctx's error.
func (s *Server) WaitMessages(ctx context.Context, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := append([]Message(nil), s.msgs...)
			s.mu.Unlock()
			return msgs, nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), errors.New("smtptest: waiting for "+strconv.Itoa(n)+" messages"))
		}
	}
}

// Connections is how many TCP connections the server accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// MailCommands is how many MAIL FROM commands arrived, refused ones included.
func (s *Server) MailCommands() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mails
}

// AuthFailures is how many AUTH attempts had wrong credentials, or were
// refused with AuthReply.
func (s *Server) AuthFailures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authFailures
}

func (s *Server) countAuthFailure() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authFailures++
}

func (s *Server) countConn() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns++
}

// takeDrop reports whether this connection is one of the first DropFirst.
func (s *Server) takeDrop() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropped < s.opts.DropFirst {
		s.dropped++
		return true
	}
	return false
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// countingListener calls onAccept for every accepted connection.
type countingListener struct {
	net.Listener
	onAccept func()
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.onAccept()
	}
	return c, err
}

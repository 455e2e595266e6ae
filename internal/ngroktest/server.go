// Package ngroktest runs a fake ngrok service in-process, so that the real
// ngrok agent (golang.ngrok.com/ngrok/v2) can be tested offline.
//
// The fake speaks the agent protocol of ngrok-go v2.4.0 (docs/replicate.md, "ngrok") on
// a TLS listener with a throwaway certificate, and runs a fake edge: a
// plain-HTTP loopback listener whose connections it proxies, byte for byte,
// to the agent that bound the endpoint, the way ngrok's edge does. Point the
// agent at it with ngrok.WithAgentConnectURL(s.ConnectAddr()) and
// ngrok.WithAgentConnectCAs(s.CAs()).
//
// Every bound endpoint gets the edge's URL, http://127.0.0.1:PORT, whatever
// URL the agent asked for: a test cannot hold a valid certificate for an
// arbitrary public name. The edge routes each connection to the most recently
// bound endpoint that is online. Re-check the fake when bumping ngrok/v2 or
// muxado/v2.
package ngroktest

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"slices"
	"strconv"
	"sync"

	"github.com/notifier-dev/notifier/internal/testcert"
)

// Config controls what the fake service accepts.
type Config struct {
	// ValidTokens are the authtokens accepted. When empty, any non-empty
	// token is accepted. A missing token is refused with ERR_NGROK_4018 and
	// an unknown one with ERR_NGROK_107, as the real service does.
	ValidTokens []string
}

// Server is a running fake ngrok service and its edge.
type Server struct {
	cfg    Config
	agents net.Listener // TLS, the agent protocol
	edge   net.Listener // plain HTTP, the public side
	pool   *x509.CertPool
	caPEM  []byte
	wg     sync.WaitGroup

	mu           sync.Mutex
	closed       bool
	sessions     map[*agentSession]struct{}
	edgeConns    map[net.Conn]struct{}
	routes       map[string]*route // bind ID → the session serving it
	refuseAuth   string
	refuseBind   string
	authAttempts int
	sessionCount int
	bindCount    int
	nextID       int
}

// route is a bound endpoint the edge can reach.
type route struct {
	sess  *agentSession
	proto string
	seq   int // bind order; the edge picks the highest
}

// Start starts a fake service on 127.0.0.1 with fresh ports and certificate.
func Start(cfg Config) (*Server, error) {
	// The agent checks the name it dialed (the host of the connect URL),
	// which testcert's IP SANs cover.
	cert, err := testcert.New("ngroktest fake ngrok service")
	if err != nil {
		return nil, err
	}
	pool, caPEM := cert.Pool, cert.PEM
	agents, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert.TLS},
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		return nil, err
	}
	edge, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		agents.Close()
		return nil, err
	}
	s := &Server{
		cfg: cfg, agents: agents, edge: edge, pool: pool, caPEM: caPEM,
		sessions:  make(map[*agentSession]struct{}),
		edgeConns: make(map[net.Conn]struct{}),
		routes:    make(map[string]*route),
	}
	s.wg.Add(2)
	go s.acceptLoop(agents, s.serveAgent)
	go s.acceptLoop(edge, s.serveEdge)
	return s, nil
}

// ConnectAddr is the agent-protocol address, "127.0.0.1:PORT", for
// ngrok.WithAgentConnectURL.
func (s *Server) ConnectAddr() string { return s.agents.Addr().String() }

// CAs is a pool that trusts the service's certificate, for
// ngrok.WithAgentConnectCAs.
func (s *Server) CAs() *x509.CertPool { return s.pool }

// CAPEM is the service's certificate in PEM, for a process that builds its
// own pool.
func (s *Server) CAPEM() []byte { return slices.Clone(s.caPEM) }

// EdgeURL is the public URL of every endpoint, "http://127.0.0.1:PORT".
func (s *Server) EdgeURL() string { return "http://" + s.edge.Addr().String() }

// RefuseSessions makes every later authentication fail with the given ngrok
// error code, such as "ERR_NGROK_108" (one session per free account) or
// "ERR_NGROK_4018"; "" restores token checking.
func (s *Server) RefuseSessions(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseAuth = code
}

// RefuseBind makes every later bind fail with the given ngrok error code,
// such as "ERR_NGROK_334" (endpoint already online); "" accepts binds again.
func (s *Server) RefuseBind(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseBind = code
}

// DropSessions closes every agent session at once, as a network failure
// would. Agents reconnect and re-bind on their own.
func (s *Server) DropSessions() {
	s.mu.Lock()
	sessions := make([]*agentSession, 0, len(s.sessions))
	for a := range s.sessions {
		sessions = append(sessions, a)
	}
	s.mu.Unlock()
	for _, a := range sessions {
		a.mux.Close()
	}
}

// AuthAttempts is the number of authentication requests received so far,
// refused ones included.
func (s *Server) AuthAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authAttempts
}

// SessionCount is the number of sessions authenticated so far, reconnects
// included.
func (s *Server) SessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionCount
}

// BindCount is the number of binds accepted so far, re-binds after a
// reconnect included.
func (s *Server) BindCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bindCount
}

// Close stops both listeners, ends every session and edge connection, and
// waits for the service's goroutines to finish.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for a := range s.sessions {
		a.mux.Close()
	}
	for c := range s.edgeConns {
		c.Close()
	}
	s.mu.Unlock()
	err := s.agents.Close()
	s.edge.Close()
	s.wg.Wait()
	return err
}

// acceptLoop hands each connection of ln to serve on its own goroutine.
func (s *Server) acceptLoop(ln net.Listener, serve func(net.Conn)) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			serve(c)
		}()
	}
}

// newID returns a fresh identifier with the given prefix.
func (s *Server) newID(prefix string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return prefix + "_" + strconv.Itoa(s.nextID)
}

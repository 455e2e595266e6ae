package listener

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server limits used by Serve.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 64 << 10
	shutdownGrace     = 5 * time.Second
)

// Serve serves the listener on ln until ctx is done, then shuts the server
// down gracefully (in-flight requests get 5 s), calls Close to drain the
// queue so that every queued delivery reaches OnDelivery, and returns nil. It
// returns an error only when serving fails; the queue is drained then too.
// Serve closes ln.
func (l *Listener) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           l,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	fresh := trackFresh(srv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	var serveErr error
	select {
	case err := <-errc:
		serveErr = fmt.Errorf("serving webhooks: %w", err)
		shutdown(srv, fresh) // finish the requests already accepted
	case <-ctx.Done():
		shutdown(srv, fresh)
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			serveErr = fmt.Errorf("serving webhooks: %w", err)
		}
	}
	_ = l.Close()
	return serveErr
}

// shutdown stops srv, giving in-flight requests shutdownGrace to finish
// before their connections are closed. Connections that never sent a
// request are closed at once: http.Server.Shutdown would wait 5 s for each
// (a client's transport often dials one more connection than it uses).
func shutdown(srv *http.Server, fresh *freshConns) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(ctx) }()
	fresh.closeAll()
	if err := <-done; err != nil {
		_ = srv.Close()
	}
}

// freshConns tracks connections in http.StateNew: accepted, no request yet.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  bool
}

// trackFresh installs a ConnState hook on srv that tracks its fresh connections.
func trackFresh(srv *http.Server) *freshConns {
	f := &freshConns{conns: map[net.Conn]struct{}{}}
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		f.mu.Lock()
		defer f.mu.Unlock()
		switch {
		case s == http.StateNew && f.done:
			c.Close() // accepted while shutting down
		case s == http.StateNew:
			f.conns[c] = struct{}{}
		default:
			delete(f.conns, c)
		}
	}
	return f
}

// closeAll closes every fresh connection, and any that turns up later.
func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.done = true
	for c := range f.conns {
		c.Close()
	}
	clear(f.conns)
}

// Package graceful shuts an http.Server down without waiting for connections that never sent a request.
//
// http.Server.Shutdown waits for every connection to become idle, and counts
// a connection that was accepted but has not sent a request yet
// (http.StateNew) as busy for its first 5 seconds. HTTP clients often dial
// one more connection than they use, so a plain Shutdown regularly waits out
// its whole deadline for nothing. A Tracker closes such connections at once.
package graceful

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// Tracker follows the connections of one http.Server that have not sent a
// request yet, so that Shutdown can close them. Create it with Track.
type Tracker struct {
	srv *http.Server

	mu      sync.Mutex
	fresh   map[net.Conn]struct{}
	closing bool // Shutdown began: new connections are closed on arrival
}

// Track installs a ConnState hook on srv, calling any hook already set
// after its own work, and returns the Tracker for srv's Shutdown. Call it
// before srv serves.
func Track(srv *http.Server) *Tracker {
	t := &Tracker{srv: srv, fresh: map[net.Conn]struct{}{}}
	next := srv.ConnState
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		t.observe(c, s)
		if next != nil {
			next(c, s)
		}
	}
	return t
}

func (t *Tracker) observe(c net.Conn, s http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case s == http.StateNew && t.closing:
		_ = c.Close() // accepted while shutting down
	case s == http.StateNew:
		t.fresh[c] = struct{}{}
	default:
		delete(t.fresh, c)
	}
}

// Shutdown stops the server: it closes its listeners and idle connections,
// closes at once every connection that has not sent a request (and any
// accepted from now on), and waits for the requests in flight to finish.
// When ctx ends first, it closes the remaining connections and returns ctx's
// error. Otherwise it returns the error of closing the listeners, if any, as
// http.Server.Shutdown does.
//
// A connection closed here may have been about to send a request; its client
// sees the connection close, as it would at any server shutdown.
func (t *Tracker) Shutdown(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- t.srv.Shutdown(ctx) }()
	t.closeFresh()
	err := <-done
	if err != nil {
		_ = t.srv.Close() // the grace is over: cut the requests still running
	}
	return err
}

// closeFresh closes every connection that has not sent a request, and makes
// observe close any that arrives later.
func (t *Tracker) closeFresh() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closing = true
	for c := range t.fresh {
		_ = c.Close()
	}
	clear(t.fresh)
}

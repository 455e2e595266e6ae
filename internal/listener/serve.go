package listener

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
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
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	var serveErr error
	select {
	case err := <-errc:
		serveErr = fmt.Errorf("serving webhooks: %w", err)
		shutdown(srv) // finish the requests already accepted
	case <-ctx.Done():
		shutdown(srv)
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			serveErr = fmt.Errorf("serving webhooks: %w", err)
		}
	}
	_ = l.Close()
	return serveErr
}

// shutdown stops srv, giving in-flight requests shutdownGrace to finish
// before their connections are closed.
func shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
	}
}

package listener

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/notifier-dev/notifier/internal/graceful"
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
	tracker := graceful.Track(srv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	var serveErr error
	select {
	case err := <-errc:
		serveErr = fmt.Errorf("serving webhooks: %w", err)
		shutdown(tracker) // finish the requests already accepted
	case <-ctx.Done():
		shutdown(tracker)
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			serveErr = fmt.Errorf("serving webhooks: %w", err)
		}
	}
	_ = l.Close()
	return serveErr
}

// shutdown stops the tracked server, giving in-flight requests
// shutdownGrace to finish before their connections are closed. Connections that never sent a
// request are closed at once (package graceful): http.Server.Shutdown would
// wait 5 s for each, and a client's transport often dials one more
// connection than it uses.
func shutdown(t *graceful.Tracker) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	_ = t.Shutdown(ctx)
}

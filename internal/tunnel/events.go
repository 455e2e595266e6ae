package tunnel

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"syscall"

	"golang.ngrok.com/ngrok/v2"
)

// EventKind says what happened to an open tunnel.
type EventKind int

const (
	// EventLost: the agent lost its session; it reconnects on its own, and
	// deliveries sent meanwhile fail: Replicate retries only the terminal
	// webhook (docs/replicate.md, "Webhooks").
	EventLost EventKind = iota + 1
	// EventRestored: the agent reconnected and re-bound the endpoint at the
	// same URL.
	EventRestored
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case EventLost:
		return "lost"
	case EventRestored:
		return "restored"
	}
	return "unknown"
}

// Event is a change in an open tunnel's connection.
type Event struct {
	Kind EventKind
	Err  error // why it was lost (EventLost only), authtoken removed
}

// watcher follows the agent's events: before the first connect it records
// the last error and stops the connect at the first refusal (docs/replicate.md,
// "ngrok", trap 1); afterwards it reports losses and recoveries.
type watcher struct {
	token   string
	cancel  context.CancelFunc // ends the session context
	onEvent func(Event)

	emitMu sync.Mutex // held while OnEvent runs, and by stop: none runs after stop

	mu          sync.Mutex
	up          bool // connected at least once
	lost        bool
	closing     bool
	refused     *RefusedError
	unreachable error // a DNS failure or refused connection before the first connect
	last        error
}

// handle is the agent's event handler. It must not block.
func (w *watcher) handle(ev ngrok.Event) {
	switch e := ev.(type) {
	case *ngrok.EventAgentConnectSucceeded:
		w.connected()
	case *ngrok.EventAgentDisconnected:
		w.disconnected(e.Error)
	}
}

func (w *watcher) connected() {
	w.mu.Lock()
	restored := w.lost && !w.closing
	w.up, w.lost = true, false
	w.mu.Unlock()
	if restored {
		w.emit(Event{Kind: EventRestored})
	}
}

func (w *watcher) disconnected(err error) {
	// A nil error or a canceled context is the session ending on purpose.
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	r := refusal(err, w.token) // before scrubbing, which drops the code
	err = scrubErr(err, w.token)
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		return
	}
	if !w.up {
		w.last = err
		if r != nil && w.refused == nil {
			w.refused = r
		}
		unreachable := r == nil && isUnreachable(err)
		if unreachable && w.unreachable == nil {
			w.unreachable = err
		}
		w.mu.Unlock()
		if r != nil || unreachable {
			// A refusal is final, and so, for a first connect, is a name
			// that does not resolve or a port that refuses: saying so at
			// once beats retrying until the connect deadline.
			w.cancel()
		}
		return
	}
	first := !w.lost
	w.lost = true
	w.mu.Unlock()
	if first {
		w.emit(Event{Kind: EventLost, Err: err})
	}
}

// emit calls OnEvent, if set, unless the watcher has been stopped.
func (w *watcher) emit(ev Event) {
	if w.onEvent == nil {
		return
	}
	w.emitMu.Lock()
	defer w.emitMu.Unlock()
	w.mu.Lock()
	closing := w.closing
	w.mu.Unlock()
	if !closing {
		w.onEvent(ev)
	}
}

// stop silences the watcher before the session is ended on purpose. When it
// returns, no OnEvent call is running and none will start, so Close is the
// last word: the caller may tear down whatever OnEvent writes to.
func (w *watcher) stop() {
	w.emitMu.Lock()
	defer w.emitMu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closing = true
}

// outcome returns the refusal, if any, the unreachable error, if any, and
// the last connection error.
func (w *watcher) outcome() (*RefusedError, error, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.refused, w.unreachable, w.last
}

// isUnreachable reports whether err says the ngrok service cannot be
// reached at all from here: its name does not resolve, or nothing listens.
func isUnreachable(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) || errors.Is(err, syscall.ECONNREFUSED)
}

// scrubErr returns err, or a copy of its text without the authtoken when
// the text of err or of any error it wraps quotes it. The copy wraps
// nothing, so that errors.Unwrap cannot lead back to the token.
func scrubErr(err error, token string) error {
	if err != nil && token != "" && quotes(err, token) {
		return scrubbedError{scrub(err.Error(), token)}
	}
	return err
}

// quotes reports whether the text of err, or of an error in its tree,
// contains token.
func quotes(err error, token string) bool {
	if strings.Contains(err.Error(), token) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if inner := u.Unwrap(); inner != nil {
			return quotes(inner, token)
		}
	case interface{ Unwrap() []error }:
		for _, inner := range u.Unwrap() {
			if inner != nil && quotes(inner, token) {
				return true
			}
		}
	}
	return false
}

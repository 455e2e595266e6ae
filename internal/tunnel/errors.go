package tunnel

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.ngrok.com/ngrok/v2"
)

// ErrNoAuthtoken is returned for ModeNgrok when Config.Authtoken is empty or
// blank: ngrok-go does not check it and would retry forever
// (docs/replicate.md, "ngrok").
var ErrNoAuthtoken = errors.New("no ngrok authtoken")

// RefusedError is the ngrok service refusing the session or the endpoint,
// for instance an invalid authtoken or a second session on a free account.
// Retrying does not help; Code tells the caller what does
// (https://ngrok.com/docs/errors/).
type RefusedError struct {
	Code    string // ngrok error code, e.g. "ERR_NGROK_107"
	Message string // the service's explanation, first line, authtoken removed
}

// Error is one line naming the code.
func (e *RefusedError) Error() string {
	if e.Message == "" {
		return "ngrok refused the tunnel (" + e.Code + ")"
	}
	return "ngrok refused the tunnel (" + e.Code + "): " + e.Message
}

// UnreachableError is the ngrok service out of reach at the first connect:
// its name does not resolve, or its port refuses the connection. Open
// returns it at once rather than retrying until the connect deadline.
type UnreachableError struct {
	Err error // the connection error, authtoken removed
}

// Error is one line: "cannot reach ngrok: <cause>".
func (e *UnreachableError) Error() string {
	return "cannot reach ngrok: " + firstLine(e.Err.Error())
}

// Unwrap returns the connection error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// ConnectTimeoutError is the ngrok service staying out of reach for the
// whole connect deadline.
type ConnectTimeoutError struct {
	After time.Duration // the deadline, Config.ConnectTimeout
	Last  error         // the last connection error, if any
}

// Error is one short line: "could not reach ngrok within 20s: <last error>".
func (e *ConnectTimeoutError) Error() string {
	if e.Last == nil {
		return fmt.Sprintf("could not reach ngrok within %v: no answer from the ngrok service", e.After)
	}
	return fmt.Sprintf("could not reach ngrok within %v: %s", e.After, firstLine(e.Last.Error()))
}

// Unwrap returns the last connection error.
func (e *ConnectTimeoutError) Unwrap() error { return e.Last }

// codeRE finds an ngrok error code in a message, as ngrok-go does.
// It is compiled on first use: most commands never open a tunnel.
var codeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`ERR_NGROK_\d+`) })

// refusal turns an error carrying an ngrok error code into a *RefusedError,
// with token scrubbed from its message; it returns nil for other errors.
// Session errors reach the event handler unwrapped, with ErrorCode(); those
// from Listen satisfy ngrok.Error, with Code().
func refusal(err error, token string) *RefusedError {
	var code string
	var legacy interface{ ErrorCode() string }
	var ne ngrok.Error
	switch {
	case errors.As(err, &legacy):
		code = legacy.ErrorCode()
	case errors.As(err, &ne):
		code = ne.Code()
	}
	if code == "" {
		return nil
	}
	msg := ""
	for line := range strings.SplitSeq(scrub(err.Error(), token), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !codeRE().MatchString(line) {
			msg = line
			break
		}
	}
	for _, prefix := range []string{"failed to start tunnel: ", "authentication failed: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	return &RefusedError{Code: code, Message: msg}
}

// scrubbedError is an error whose text had the authtoken removed.
type scrubbedError struct{ msg string }

func (e scrubbedError) Error() string { return e.msg }

// scrub removes the authtoken from a message: the service quotes it back
// in some refusals, and notifier never prints secrets.
func scrub(msg, token string) string {
	if token == "" {
		return msg
	}
	return strings.ReplaceAll(msg, token, "[authtoken]")
}

// firstLine is the first non-blank line of s.
func firstLine(s string) string {
	for line := range strings.SplitSeq(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return s
}

package urls

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"sync"

	"github.com/nicholas-fedor/shoutrrr/pkg/util/jsonclient"
)

// Error is a failed send. Its text has every secret of the URL removed, and
// it keeps no error of the library that could quote the URL.
type Error struct {
	// Channel is the channel's name, without secrets.
	Channel string
	// Status is the HTTP status of the service's last answer; 0 when none.
	Status int
	msg    string
	temp   bool
}

func (e *Error) Error() string { return e.msg }

// Temporary reports whether trying again may help: a network error, a
// timeout, 429 Too Many Requests or a 5xx answer.
func (e *Error) Temporary() bool { return e.temp }

// Hint says what to check, by the service's answer; "" when nothing useful.
func (e *Error) Hint() string {
	switch {
	case e.Status == http.StatusUnauthorized, e.Status == http.StatusForbidden:
		return "check the token in the notification URL (in --notify or NOTIFIER_NOTIFY)"
	case e.Status == http.StatusNotFound, e.Status == http.StatusGone:
		return "check the notification URL: the service does not know that webhook, topic or key"
	case e.Status == 0 && e.temp:
		return "check that this machine can reach the service"
	}
	return ""
}

// recorder remembers the last HTTP answer or network error a service saw.
type recorder struct {
	mu     sync.Mutex
	status int
	netErr bool
}

func (r *recorder) set(status int, netErr bool) {
	r.mu.Lock()
	r.status, r.netErr = status, netErr
	r.mu.Unlock()
}

func (r *recorder) get() (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status, r.netErr
}

// ctxTransport bounds a library's requests by the send's context, which the
// libraries' own APIs do not take, and records the answers.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
	rec  *recorder
}

// RoundTrip sends r under the send's context.
func (t *ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r.WithContext(t.ctx))
	if err != nil {
		t.rec.set(0, true)
		return nil, err
	}
	t.rec.set(resp.StatusCode, false)
	return resp, nil
}

// statusText finds an HTTP status in an error text such as
// "webhook status failure: 503 Service Unavailable" or "HTTP 429".
var statusText = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^0-9.])([1-5][0-9][0-9])(?: [A-Z][a-z]|$|[^0-9])`)
})

// newError makes the Error for err, redacted by red, classified by what
// the recorder saw or, when the library sent the request itself, by err.
func newError(name string, red *Redactor, err error, rec *recorder) *Error {
	e := &Error{Channel: name, msg: red.Redact(err.Error())}
	status, netErr := 0, false
	if rec != nil {
		status, netErr = rec.get()
	}
	var je jsonclient.Error
	var ue *url.Error
	var ne net.Error
	switch {
	case status != 0:
	case netErr:
	case errors.As(err, &je):
		status = je.StatusCode
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ue), errors.As(err, &ne):
		netErr = true
	default:
		if m := statusText().FindStringSubmatch(err.Error()); m != nil {
			status, _ = strconv.Atoi(m[1])
		}
	}
	e.Status = status
	e.temp = netErr || status == http.StatusTooManyRequests || status >= 500
	return e
}

// errorf makes an Error of a message of our own.
func errorf(name string, red *Redactor, status int, temp bool, format string, args ...any) *Error {
	return &Error{Channel: name, Status: status, temp: temp, msg: red.Redact(fmt.Sprintf(format, args...))}
}

package listener

import (
	"bytes"
	"errors"
	"io"
	"net/http"
)

// BodyPrefixBytes is how much of its body a Rejected or Duplicate delivery
// keeps: enough to show what was sent, while a flood of large rejected
// bodies waiting for OnDelivery holds little memory.
const BodyPrefixBytes = 4 << 10

// reasonBusy is the reason of a 503 answered when the body budget is spent.
const reasonBusy = "busy"

// errBusy is returned by the body readers when the budget cannot cover the
// body.
var errBusy = errors.New("body budget exhausted")

// readBody reads r's body into it.d within MaxBodyBytes and the body budget,
// recording in it.held the bytes reserved for it. It returns false when the
// request was rejected: 413 past the limit, 503 "busy" (with the budget
// spent, often before reading anything), 400 when reading failed.
func (l *Listener) readBody(w http.ResponseWriter, r *http.Request, it *item) bool {
	d, limit := &it.d, l.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		d.Size = limit
		return d.reject(http.StatusRequestEntityTooLarge, "body too large")
	}
	var body []byte
	var err error
	if r.ContentLength >= 0 {
		body, err = l.readSized(r.Body, r.ContentLength, it)
	} else {
		body, err = l.readChunked(http.MaxBytesReader(w, r.Body, limit), limit, it)
	}
	d.Body, d.Size = body, int64(len(body))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		d.Body, d.Size = nil, limit
		return d.reject(http.StatusRequestEntityTooLarge, "body too large")
	}
	switch {
	case errors.Is(err, errBusy):
		return d.reject(http.StatusServiceUnavailable, reasonBusy)
	case err != nil:
		return d.reject(http.StatusBadRequest, "reading body failed")
	}
	return true
}

// readSized reads a body of known length n into a buffer of exactly that
// size, reserved up front.
func (l *Listener) readSized(body io.Reader, n int64, it *item) ([]byte, error) {
	if !l.budget.reserve(n) {
		return nil, errBusy
	}
	it.held = n
	buf := make([]byte, n)
	m, err := io.ReadFull(body, buf) // an error when the body ends short
	return buf[:m], err
}

// readChunked reads a body of unknown length, reserving its buffer in steps:
// BodyPrefixBytes first (so a body that fits a prefix never holds a larger
// buffer), then doubling up to limit. While the buffer grows both the old
// and the new one are reserved. body must be an http.MaxBytesReader with
// that limit.
func (l *Listener) readChunked(body io.Reader, limit int64, it *item) ([]byte, error) {
	var buf []byte
	for {
		if len(buf) == cap(buf) {
			if int64(cap(buf)) == limit {
				// Full: one more byte is the limit's error, or EOF.
				var probe [1]byte
				if _, err := body.Read(probe[:]); err != nil {
					return buf, eofOK(err)
				}
				continue
			}
			size := min(max(2*int64(cap(buf)), BodyPrefixBytes), limit)
			if !l.budget.reserve(size) {
				return buf, errBusy
			}
			buf = append(make([]byte, 0, size), buf...)
			l.budget.release(it.held)
			it.held = size
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return buf, eofOK(err)
		}
	}
}

func eofOK(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

// trim prepares a delivery that will not be processed for the queue: its
// body is cut to BodyPrefixBytes (its Summary holds no reference to the
// body). The bytes reserved for the body are released.
func (l *Listener) trim(it *item) {
	d := &it.d
	if len(d.Body) > BodyPrefixBytes {
		d.Body = bytes.Clone(d.Body[:BodyPrefixBytes])
	}
	d.Truncated = int64(len(d.Body)) < d.Size
	l.budget.release(it.held)
	it.held = 0
}

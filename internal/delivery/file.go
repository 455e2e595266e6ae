package delivery

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/notifier-dev/notifier/internal/listener"
)

// MaxLineBytes bounds one line of a record file when reading it back: a
// 10 MiB body in base64 with its headers fits several times over.
const MaxLineBytes = 64 << 20

// Writer appends deliveries to a record file. After the first failed write
// it records nothing more and counts what it missed, so that Close can say
// what was lost. It is safe for concurrent use.
type Writer struct {
	path string

	mu      sync.Mutex
	f       *os.File
	err     error // the first failure
	missing int   // deliveries not recorded because of it
}

// Create opens path for appending, creating it readable by its owner only:
// records hold whole request bodies.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return &Writer{path: path, f: f}, nil
}

// Write appends d as one line, with a single write so lines never
// interleave. It returns an error only for the write that failed first;
// later deliveries are counted as missing.
func (w *Writer) Write(d listener.Delivery) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || w.f == nil {
		w.missing++
		return nil
	}
	line, err := NewRecord(d).Marshal()
	if err == nil {
		_, err = w.f.Write(line)
	}
	if err != nil {
		w.err, w.missing = err, 1
		return fmt.Errorf("recording deliveries to %s failed: %w; recording stopped", w.path, err)
	}
	return nil
}

// Close closes the file and returns the failure, if any, with how many
// deliveries were not recorded. It may be called more than once.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		if err := w.f.Close(); err != nil && w.err == nil {
			w.err = err
		}
		w.f = nil
	}
	switch {
	case w.err != nil && w.missing > 0:
		return fmt.Errorf("recording deliveries to %s failed: %w (%d not recorded)", w.path, w.err, w.missing)
	case w.err != nil:
		return fmt.Errorf("recording deliveries to %s failed: %w", w.path, w.err)
	}
	return nil
}

// ReadFile reads every record of a record file; a malformed line is an
// error naming the file and line.
func ReadFile(path string) ([]Record, error) {
	var recs []Record
	err := Scan(path, func(rec Record) { recs = append(recs, rec) })
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// Scan calls f with each record of a record file, in order, holding one
// line at a time; a malformed line is an error naming the file and line,
// and ends the scan.
func Scan(path string, f func(Record)) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		rec, err := Parse(line)
		if err != nil {
			return fmt.Errorf("%s:%d: malformed record: %v", path, n, err)
		}
		f(rec)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s: a line is longer than %d MiB: not a record file", path, MaxLineBytes>>20)
		}
		return err
	}
	return nil
}

// Select picks what replay sends: every accepted delivery, in order; with
// id, only the deliveries with that webhook-id, and when it was never
// accepted, its rejected attempts.
func Select(recs []Record, id string) ([]Record, error) {
	var sel, others []Record
	for _, rec := range recs {
		switch {
		case id != "" && rec.WebhookID != id:
		case rec.Accepted():
			sel = append(sel, rec)
		case id != "":
			others = append(others, rec)
		}
	}
	if len(sel) == 0 {
		sel = others
	}
	switch {
	case len(sel) > 0:
		return sel, nil
	case id != "":
		return nil, fmt.Errorf("no delivery with webhook-id %q", id)
	}
	return nil, fmt.Errorf("no accepted delivery to replay (%d records)", len(recs))
}

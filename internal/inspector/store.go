package inspector

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/delivery"
)

// Store bounds, for zero Config fields.
const (
	// DefaultMaxEntries is how many deliveries the page keeps; older ones
	// are forgotten first.
	DefaultMaxEntries = 1000
	// DefaultMaxBodyBytes bounds the bodies the page keeps in all.
	DefaultMaxBodyBytes = 64 << 20
	// subscriberBuffer is how many events a page may fall behind before
	// its stream is cut; the browser reconnects and starts afresh.
	subscriberBuffer = 256
)

// entry is one delivery the page shows.
type entry struct {
	seq     int64
	rec     delivery.Record
	summary Summary
	state   *state // what the prediction said; nil when the body is not one
	body    int64  // bytes held (body, output and logs), for the store's bound
}

// state is what eventOf compares between deliveries of one prediction.
type state struct {
	output json.RawMessage
	logs   string
}

// Summary is one row of the page's list: what the SSE stream and
// /api/deliveries send for a delivery.
type Summary struct {
	Seq          int64     `json:"seq"`
	ReceivedAt   time.Time `json:"received_at"`
	Verdict      string    `json:"verdict"`
	Reason       string    `json:"reason,omitempty"`
	HTTPStatus   int       `json:"http_status"`
	WebhookID    string    `json:"webhook_id"`
	PredictionID string    `json:"prediction_id,omitempty"`
	Model        string    `json:"model,omitempty"`
	Status       string    `json:"status,omitempty"`
	// Event is which webhook event the delivery was most likely sent for:
	// start, output, logs, completed or update (Replicate does not say).
	Event string `json:"event,omitempty"`
	// LagMS is from the prediction's latest timestamp to the delivery's
	// arrival, in milliseconds; absent when the body holds no timestamp.
	LagMS   *float64 `json:"lag_ms,omitempty"`
	Size    int64    `json:"size"`
	Forward *Answer  `json:"forward,omitempty"`
	// History marks deliveries loaded from the --record file at start.
	History bool `json:"history,omitempty"`
}

// Answer is what a target answered to a forward or a replay.
type Answer struct {
	Target     string  `json:"target,omitempty"`
	Status     int     `json:"status,omitempty"` // absent when no answer came
	DurationMS float64 `json:"duration_ms"`
	Error      string  `json:"error,omitempty"`
}

// event is one message of the SSE stream.
type event struct {
	name string // "delivery", "update", "reset" or "status"
	data []byte
}

// store keeps the latest deliveries and tells the open pages about each.
type store struct {
	maxEntries int
	maxBytes   int64

	mu      sync.Mutex
	entries []*entry // oldest first
	bytes   int64
	next    int64
	byHook  map[string]*entry // the latest accepted entry of each webhook-id, for forward answers
	subs    map[chan event]struct{}
	closed  bool
	status  string // the session's line, see setStatus
}

func newStore(maxEntries int, maxBytes int64) *store {
	return &store{maxEntries: maxEntries, maxBytes: maxBytes, next: 1,
		byHook: map[string]*entry{}, subs: map[chan event]struct{}{}}
}

// add keeps rec and announces it.
func (s *store) add(rec delivery.Record, history bool) {
	raw, _ := rec.RawBody()
	p, isPrediction := parseBody(raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := &entry{seq: s.next, rec: rec, body: int64(len(raw))}
	s.next++
	e.summary = summarize(e.seq, rec)
	if isPrediction {
		e.state = &state{output: p.Output, logs: p.Logs}
		e.body += int64(len(p.Output) + len(p.Logs)) // copies of the body's
		describe(&e.summary, p, s.previous(p.ID), rec.ReceivedAt)
	}
	e.summary.History = history
	s.entries = append(s.entries, e)
	s.bytes += e.body
	if rec.Accepted() && rec.WebhookID != "" {
		s.byHook[rec.WebhookID] = e
	}
	s.evict()
	s.publish("delivery", e.summary)
}

// previous is what the latest earlier accepted delivery of the same
// prediction said, for telling an output event from a logs event; nil when
// there is none.
func (s *store) previous(id string) *state {
	for i := len(s.entries) - 1; i >= 0; i-- {
		if e := s.entries[i]; e.summary.PredictionID == id && e.rec.Accepted() && e.state != nil {
			return e.state
		}
	}
	return nil
}

// evict forgets the oldest entries beyond the bounds; the newest is kept
// whatever its size.
func (s *store) evict() {
	n := 0
	for len(s.entries)-n > 1 && (len(s.entries)-n > s.maxEntries || s.bytes > s.maxBytes) {
		e := s.entries[n]
		s.bytes -= e.body
		if s.byHook[e.rec.WebhookID] == e {
			delete(s.byHook, e.rec.WebhookID)
		}
		s.entries[n] = nil
		n++
	}
	if n > 0 {
		s.entries = append(s.entries[:0:0], s.entries[n:]...)
	}
}

// forwarded attaches a forward's answer to the delivery it forwarded.
func (s *store) forwarded(webhookID string, a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.byHook[webhookID]
	if e == nil {
		return
	}
	e.summary.Forward = &a
	s.publish("update", e.summary)
}

// get returns the entry with sequence number seq.
func (s *store) get(seq int64) (*entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.seq == seq {
			return e, true
		}
	}
	return nil, false
}

// related returns the kept entries of a prediction, oldest first.
func (s *store) related(predictionID string) []*entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*entry
	for _, e := range s.entries {
		if e.summary.PredictionID == predictionID {
			out = append(out, e)
		}
	}
	return out
}

// summaries lists every kept delivery, oldest first.
func (s *store) summaries() []Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Summary, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.summary
	}
	return out
}

// clear forgets every delivery.
func (s *store) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries, s.bytes, s.byHook = nil, 0, map[string]*entry{}
	s.publish("reset", struct{}{})
}

// statusEvent is the data of a "status" event.
type statusEvent struct {
	Text string `json:"text"`
}

// setStatus sets the session's line and tells every page.
func (s *store) setStatus(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = text
	s.publish("status", statusEvent{text})
}

func (s *store) currentStatus() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// subscribe returns a stream that starts with a reset, the status line
// and every kept delivery, then carries each change; cancel ends it. The stream is closed
// when the page falls too far behind or the store closes.
func (s *store) subscribe() (<-chan event, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan event, subscriberBuffer+len(s.entries)+2)
	if s.closed {
		close(ch)
		return ch, func() {}
	}
	ch <- event{name: "reset", data: []byte("{}")}
	if s.status != "" {
		ch <- event{name: "status", data: mustJSON(statusEvent{s.status})}
	}
	for _, e := range s.entries {
		ch <- event{name: "delivery", data: mustJSON(e.summary)}
	}
	s.subs[ch] = struct{}{}
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.subs[ch]; ok {
			delete(s.subs, ch)
			close(ch)
		}
	}
}

// publish sends an event to every page; s.mu is held. A page that is
// behind by subscriberBuffer events is cut off.
func (s *store) publish(name string, v any) {
	if len(s.subs) == 0 {
		return
	}
	ev := event{name: name, data: mustJSON(v)}
	for ch := range s.subs {
		select {
		case ch <- ev:
		default:
			delete(s.subs, ch)
			close(ch)
		}
	}
}

// close ends every stream.
func (s *store) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for ch := range s.subs {
		delete(s.subs, ch)
		close(ch)
	}
}

// mustJSON marshals the inspector's own types, which always marshal.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

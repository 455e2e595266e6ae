package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// streamPath is where a streaming prediction's server-sent events are
// served, below the simulator's origin and without a token: urls.stream is
// <origin>/v1/streams/<prediction id>. Replicate's stream URLs carry their
// own credential too, and the official clients fetch them without the API
// token (docs/simulator.md, "Files, images and streaming").
const streamPath = "/v1/streams/"

// tokenPace is how long acme/stream takes per token; streamLinger, how
// long a finished stream stays open for the client to close it.
const (
	tokenPace    = 20 * time.Millisecond
	streamLinger = time.Second
)

// filler is what acme/stream says after repeating its prompt.
const filler = "This is the notifier simulator, answering one token at a time as a language model does."

// wordRE cuts a text into tokens: each word with the whitespace before it,
// so that the tokens concatenate into the text.
var wordRE = regexp.MustCompile(`\s*\S+`)

// tokens are acme/stream's first n tokens for prompt: "You said:", the
// prompt, a new line, then filler, repeated. Line breaks are "\n" only.
func tokens(prompt string, n int) []string {
	prompt = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(prompt)
	text := "You said: " + prompt + "\n" + filler
	var out []string
	for len(out) < n {
		out = append(out, wordRE.FindAllString(text, n-len(out))...)
		text = " " + filler
	}
	return out
}

// streamTokens produces acme/stream's output, one token every tokenPace:
// each token is an output update (so output webhooks go out, throttled)
// and an event on urls.stream. It reports false when the run must stop.
func (s *Simulator) streamTokens(p *prediction, expired <-chan time.Time) bool {
	prompt, _ := p.input["prompt"].(string)
	toks := tokens(prompt, int(intInput(p.input, "max_tokens", 16)))
	tick := time.NewTicker(tokenPace)
	defer tick.Stop()
	for i := range toks {
		select {
		case <-tick.C:
		case <-expired:
			s.finish(p, statusCanceled, "", "canceled: deadline (Cancel-After) passed\n")
			return false
		case <-p.done:
			return false
		case <-s.ctx.Done():
			return false
		}
		s.update(p, eventOutput, func() { p.output = slices.Clone(toks[:i+1]) })
	}
	return true
}

// handleStream serves urls.stream in Replicate's server-sent event format:
// an "output" event per token (its data the token, one "data:" line per
// line of it, and an "id:"), then "done" with {} on success; a failure
// sends "error" with {"detail": ...} then "done" with {"reason":"error"};
// a canceled or aborted prediction "done" with {"reason":"canceled"}. A
// connection replays the tokens from the start, or from after its
// Last-Event-ID (docs/simulator.md, "Files, images and streaming").
func (s *Simulator) handleStream(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	id := r.PathValue("id")
	defer func() {
		s.emit(Event{Kind: "stream", Method: r.Method, Path: r.URL.Path, Status: rec.status, PredictionID: id})
	}()
	s.mu.Lock()
	p := s.preds[id]
	s.mu.Unlock()
	if p == nil || !p.target.model.streams {
		writeProblem(rec, notFound())
		return
	}
	next := 0
	if n, err := strconv.Atoi(r.Header.Get("Last-Event-ID")); err == nil && n >= 0 {
		next = n + 1
	}
	h := rec.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	rec.WriteHeader(http.StatusOK)
	flush := func() { _ = http.NewResponseController(w).Flush() }
	flush()
	for {
		s.mu.Lock()
		toks, _ := p.output.([]string)
		status, errMsg, removed, changed := p.status, p.errMsg, p.dataRemoved, p.changed
		s.mu.Unlock()
		for ; next < len(toks); next++ {
			writeEvent(rec, "output", strconv.Itoa(next), toks[next])
		}
		if removed || isTerminal(status) {
			switch status {
			case statusSucceeded:
				writeEvent(rec, "done", "", "{}")
			case statusFailed:
				detail, _ := json.Marshal(map[string]string{"detail": errMsg})
				writeEvent(rec, "error", "", string(detail))
				writeEvent(rec, "done", "", `{"reason":"error"}`)
			default:
				writeEvent(rec, "done", "", `{"reason":"canceled"}`)
			}
			flush()
			// The connection stays open after "done" until the client
			// closes it (at most streamLinger): replicate-go v0.26.0
			// reconnects, and replays the stream, when it ends before it
			// has handled "done".
			t := time.NewTimer(streamLinger)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
			case <-s.ctx.Done():
			}
			return
		}
		flush()
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// writeEvent writes one server-sent event. Each line of data is a "data:"
// line of its own; clients join them with "\n" (replicate-go's
// decodeSSEEvent, the JavaScript client's event-source parser).
func writeEvent(w io.Writer, event, id, data string) {
	var b strings.Builder
	b.WriteString("event: " + event + "\n")
	if id != "" {
		b.WriteString("id: " + id + "\n")
	}
	for _, line := range strings.Split(data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	_, _ = io.WriteString(w, b.String())
}

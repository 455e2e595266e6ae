package inspector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/notifier-dev/notifier/internal/delivery"
	"github.com/notifier-dev/notifier/internal/prediction"
)

// body is what the inspector reads of a prediction body: the fields it
// shows, the output kept raw so it is classified, not re-typed.
type body struct {
	ID          string            `json:"id"`
	Model       string            `json:"model"`
	Version     string            `json:"version"`
	Status      string            `json:"status"`
	CreatedAt   string            `json:"created_at"`
	StartedAt   string            `json:"started_at"`
	CompletedAt string            `json:"completed_at"`
	Output      json.RawMessage   `json:"output"`
	Logs        string            `json:"logs"`
	Error       json.RawMessage   `json:"error"`
	Metrics     json.RawMessage   `json:"metrics"`
	URLs        map[string]string `json:"urls"`
}

// parseBody reads a prediction body; ok is false when it is not one.
func parseBody(b []byte) (body, bool) {
	var p body
	if len(b) == 0 || json.Unmarshal(b, &p) != nil || p.ID == "" {
		return body{}, false
	}
	return p, true
}

// summarize makes a delivery's row from what the record says of the request.
func summarize(seq int64, rec delivery.Record) Summary {
	return Summary{Seq: seq, ReceivedAt: rec.ReceivedAt, Verdict: rec.Verdict, Reason: rec.Reason,
		HTTPStatus: rec.HTTPStatus, WebhookID: rec.WebhookID, Size: rec.BodySize}
}

// describe adds what the prediction in the body says to a row; prev is
// the previous delivery of the same prediction, nil when there is none.
func describe(s *Summary, p body, prev *state, received time.Time) {
	s.PredictionID, s.Model, s.Status = p.ID, p.Model, p.Status
	s.Event = eventOf(p, prev)
	s.LagMS = lagOf(p, s.Event, received)
}

// eventOf tells which webhook event a delivery was sent for: Replicate
// does not say. A start event carries status starting, a completed one a
// terminal status; in between, a changed output means an output event and
// changed logs a logs event.
func eventOf(p body, prev *state) string {
	switch p.Status {
	case "starting":
		return "start"
	case "succeeded", "failed", "canceled", "aborted":
		return "completed"
	}
	if prev == nil {
		prev = &state{}
	}
	switch {
	case !jsonEqual(p.Output, prev.output):
		return "output"
	case p.Logs != prev.logs:
		return "logs"
	}
	return "update"
}

func jsonEqual(a, b json.RawMessage) bool {
	isNull := func(m json.RawMessage) bool { return len(m) == 0 || string(m) == "null" }
	if isNull(a) || isNull(b) {
		return isNull(a) == isNull(b)
	}
	return bytes.Equal(a, b)
}

// lagOf is how long after its event a delivery arrived: a start event
// since created_at, a completed one since completed_at. Output and logs
// events carry no time of their own.
func lagOf(p body, event string, received time.Time) *float64 {
	var at string
	switch event {
	case "start":
		at = p.CreatedAt
	case "completed":
		at = p.CompletedAt
	}
	t, ok := timestamp(at)
	if !ok {
		return nil
	}
	ms := float64(received.Sub(t).Microseconds()) / 1000
	return &ms
}

func timestamp(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// Detail is a delivery's whole view: its row, the request as received,
// and the prediction it carried with its timeline.
type Detail struct {
	Summary
	Method  string      `json:"method"`
	Path    string      `json:"path"`
	Headers [][2]string `json:"headers"` // sorted by name; the signature as sent, there is no secret in it
	// Body is the body as received when it is UTF-8; BodyBase64 says it is
	// base64 instead.
	Body          string      `json:"body"`
	BodyBase64    bool        `json:"body_base64,omitempty"`
	BodyTruncated bool        `json:"body_truncated,omitempty"`
	Pretty        string      `json:"pretty,omitempty"` // the body indented, when it is JSON
	Prediction    *Prediction `json:"prediction,omitempty"`
	Timeline      []Moment    `json:"timeline,omitempty"`
}

// Prediction is what the detail view shows of a prediction.
type Prediction struct {
	ID          string   `json:"id"`
	Model       string   `json:"model,omitempty"`
	Version     string   `json:"version,omitempty"`
	Status      string   `json:"status"`
	CreatedAt   string   `json:"created_at,omitempty"`
	StartedAt   string   `json:"started_at,omitempty"`
	CompletedAt string   `json:"completed_at,omitempty"`
	Error       string   `json:"error,omitempty"`
	Logs        string   `json:"logs,omitempty"`
	Metrics     string   `json:"metrics,omitempty"` // indented JSON
	Outputs     []Output `json:"outputs,omitempty"`
	WebURL      string   `json:"web_url,omitempty"`
}

// Output is one piece of a prediction's output, as the page shows it.
type Output struct {
	// Kind is text, json, image, audio, video or file.
	Kind string `json:"kind"`
	// Text holds a text or json output.
	Text string `json:"text,omitempty"`
	// URL is a file output's http(s) or data: URL; Name is what the link says.
	URL  string `json:"url,omitempty"`
	Name string `json:"name,omitempty"`
}

// Moment is one step of a prediction's timeline.
type Moment struct {
	At   time.Time `json:"at"`
	What string    `json:"what"` // created, started, completed, or "webhook <event>"
	// Seq, Verdict and LagMS describe a delivery; Current marks the one shown.
	Seq     int64    `json:"seq,omitempty"`
	Verdict string   `json:"verdict,omitempty"`
	LagMS   *float64 `json:"lag_ms,omitempty"`
	Current bool     `json:"current,omitempty"`
}

// detail builds the view of e; related are the kept deliveries of the
// same prediction, oldest first.
func detail(e *entry, related []*entry) Detail {
	rec := e.rec
	d := Detail{Summary: e.summary, Method: rec.Method, Path: rec.Path, BodyTruncated: rec.BodyTruncated}
	for name, vs := range rec.Headers {
		for _, v := range vs {
			d.Headers = append(d.Headers, [2]string{name, v})
		}
	}
	slices.SortStableFunc(d.Headers, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	raw, _ := rec.RawBody()
	switch {
	case rec.BodyBase64 != "":
		d.Body, d.BodyBase64 = rec.BodyBase64, true
	case rec.Body != nil:
		d.Body = *rec.Body
	}
	d.Body = shown(d.Body)
	var pretty bytes.Buffer
	if !d.BodyBase64 && json.Indent(&pretty, raw, "", "  ") == nil {
		d.Pretty = shown(pretty.String())
	}
	p, ok := parseBody(raw)
	if !ok {
		return d
	}
	d.Prediction = predictionView(p)
	d.Timeline = timeline(e, p, related)
	return d
}

func predictionView(p body) *Prediction {
	v := &Prediction{ID: p.ID, Model: p.Model, Version: p.Version, Status: p.Status, CreatedAt: p.CreatedAt,
		StartedAt: p.StartedAt, CompletedAt: p.CompletedAt, Logs: shown(p.Logs), Error: shown(errorText(p.Error)),
		Outputs: outputs(p.Output), WebURL: p.URLs["web"]}
	for i := range v.Outputs {
		v.Outputs[i].Text = shown(v.Outputs[i].Text)
	}
	var m bytes.Buffer
	if len(p.Metrics) > 0 && string(p.Metrics) != "null" && json.Indent(&m, p.Metrics, "", "  ") == nil {
		v.Metrics = m.String()
	}
	if !prediction.IsLink(v.WebURL) {
		v.WebURL = ""
	}
	return v
}

// maxShownBytes bounds each text the detail view shows (body, logs, an
// output): a browser does not lay out megabytes of text in a <pre> well.
const maxShownBytes = 1 << 20

// shown cuts s to maxShownBytes, at a character boundary, and says so.
func shown(s string) string {
	if len(s) <= maxShownBytes {
		return s
	}
	n := maxShownBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + fmt.Sprintf("\n… cut here: %d more bytes; download the record for all of it", len(s)-n)
}

// errorText is a prediction's error: a string as it is, anything else as JSON.
func errorText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// timeline orders the prediction's own timestamps and the arrival of each
// kept delivery of it.
func timeline(cur *entry, p body, related []*entry) []Moment {
	var ms []Moment
	for _, step := range []struct{ what, at string }{{"created", p.CreatedAt}, {"started", p.StartedAt}, {"completed", p.CompletedAt}} {
		if t, ok := timestamp(step.at); ok {
			ms = append(ms, Moment{At: t, What: step.what})
		}
	}
	for _, e := range related {
		what := "webhook"
		if e.summary.Event != "" {
			what += " " + e.summary.Event
		}
		ms = append(ms, Moment{At: e.rec.ReceivedAt, What: what, Seq: e.seq, Verdict: e.summary.Verdict,
			LagMS: e.summary.LagMS, Current: e == cur})
	}
	slices.SortStableFunc(ms, func(a, b Moment) int { return a.At.Compare(b.At) })
	return ms
}

// outputs classifies a prediction's output: a URL is a file (an image,
// audio or video the page shows inline), a list of plain strings is the
// text a language model streamed, anything else is shown as JSON with the
// file URLs in it as links.
func outputs(raw json.RawMessage) []Output {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	switch v := v.(type) {
	case string:
		if o, ok := fileOutput(v); ok {
			return []Output{o}
		}
		return []Output{{Kind: "text", Text: v}}
	case []any:
		if strs, ok := prediction.Strings(v); ok && len(strs) > 0 {
			var files []Output
			for _, s := range strs {
				if o, ok := fileOutput(s); ok {
					files = append(files, o)
				}
			}
			if len(files) == len(strs) {
				return files
			}
			if len(files) == 0 {
				return []Output{{Kind: "text", Text: strings.Join(strs, "")}}
			}
		}
	case float64, bool:
		return []Output{{Kind: "text", Text: string(raw)}}
	}
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, raw, "", "  ") // raw was just decoded
	out := []Output{{Kind: "json", Text: pretty.String()}}
	prediction.WalkStrings(v, func(s string) {
		if o, ok := fileOutput(s); ok {
			out = append(out, o)
		}
	})
	return out
}

// Media kinds by file extension.
var extKinds = map[string]string{
	".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image", ".webp": "image", ".avif": "image", ".bmp": "image", ".svg": "image",
	".wav": "audio", ".mp3": "audio", ".ogg": "audio", ".flac": "audio", ".m4a": "audio", ".aac": "audio", ".opus": "audio",
	".mp4": "video", ".webm": "video", ".mov": "video",
}

// fileOutput classifies s as a file output: an http(s) URL, or a data: URL
// of an image, audio or video. Nothing else ever becomes a link: the page
// must not be given a javascript: URL to follow.
func fileOutput(s string) (Output, bool) {
	if strings.HasPrefix(s, "data:") {
		mime, _, _ := strings.Cut(strings.TrimPrefix(s, "data:"), ";")
		kind, _, _ := strings.Cut(mime, "/")
		if kind != "image" && kind != "audio" && kind != "video" || !strings.Contains(s, ",") {
			return Output{}, false
		}
		return Output{Kind: kind, URL: s, Name: fmt.Sprintf("%s data URL (%d bytes)", mime, len(s))}, true
	}
	if !prediction.IsLink(s) {
		return Output{}, false
	}
	u, _ := url.Parse(s) // IsLink parsed it
	name := path.Base(u.Path)
	if name == "/" || name == "." {
		name = u.Host
	}
	kind := extKinds[strings.ToLower(path.Ext(u.Path))]
	if kind == "" {
		kind = "file"
	}
	return Output{Kind: kind, URL: s, Name: name}, true
}

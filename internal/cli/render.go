package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/fatih/color"
	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/delivery"
	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/prediction"
)

// deliveryRenderer prints listen's output on stdout: one line per delivery
// and per forward, as text or NDJSON. It is safe for concurrent use: forwards
// are shown from their own goroutines. Every value that came from a request
// is cleaned (text) or made valid UTF-8 (JSON).
type deliveryRenderer struct {
	mu   sync.Mutex
	out  *bufio.Writer // stdout, flushed by flush: once per burst of deliveries
	io   *IOStreams
	json bool
	pr   *progress
	bad  func(string) string
}

func newDeliveryRenderer(io *IOStreams, asJSON bool) *deliveryRenderer {
	return &deliveryRenderer{io: io, out: bufio.NewWriterSize(io.Out, 64<<10), json: asJSON, pr: newProgress(io), bad: painter(io.OutColor, color.FgRed)}
}

// flush writes what is buffered: the listener calls it whenever its queue
// is empty, and forwards after each answer.
func (r *deliveryRenderer) flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.Flush()
}

// flushWithin is flush, given up when ctx ends first (stdout not read).
func (r *deliveryRenderer) flushWithin(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- r.flush() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errDrainAbandoned
	}
}

// ready announces the webhook URL, and the trigger command that reaches
// it: the NDJSON ready line, or lines on stderr.
func (r *deliveryRenderer) ready(url string, lc listener.Config, trigger, ui string) error {
	if r.json {
		if err := r.writeJSON(jsonReady{Type: "ready", URL: url, Verify: lc.Secret != nil && !lc.SkipVerify, Trigger: trigger, UI: ui}); err != nil {
			return err
		}
		return r.flush()
	}
	mode := "signatures verified"
	switch {
	case lc.SkipVerify && lc.Secret == nil:
		mode = "SIGNATURES NOT CHECKED (--skip-verify)"
	case lc.SkipVerify:
		mode = "SIGNATURES CHECKED BUT NOT ENFORCED (--skip-verify)"
	}
	r.pr.line(fmt.Sprintf("Ready! Listening for webhooks at %s (%s). Ctrl-C to stop.", url, mode))
	r.pr.infof("To send it a test prediction's webhooks: %s", trigger)
	if ui != "" {
		r.pr.infof("Inspector: %s", ui)
	}
	return nil
}

// jsonReady is the first NDJSON line of listen --json.
type jsonReady struct {
	Type    string `json:"type"` // "ready"
	URL     string `json:"url"`
	Verify  bool   `json:"verify"`
	Trigger string `json:"trigger"`      // the command that sends it test webhooks
	UI      string `json:"ui,omitempty"` // the inspector page, with --ui
}

// jsonDelivery is one NDJSON line of listen --json. appendDelivery writes
// it as json.Marshal would, without reflection (TestAppendDeliveryAsMarshal).
type jsonDelivery struct {
	Type       string    `json:"type"` // "delivery" or "rejected"
	WebhookID  string    `json:"webhook_id"`
	ReceivedAt time.Time `json:"received_at"`
	Verdict    string    `json:"verdict"`
	Reason     string    `json:"reason,omitempty"`
	HTTPStatus int       `json:"http_status"`
	Size       int64     `json:"size"`
	// InvalidUTF8 says the body held invalid UTF-8, replaced by U+FFFD in
	// the prediction; --record keeps the exact bytes.
	InvalidUTF8 bool `json:"invalid_utf8,omitempty"`
	// The prediction, the body as received, is spliced in last by render:
	// it was checked to be JSON already, and re-encoding it costs more than
	// everything else the line needs.
}

// render prints one delivery.
func (r *deliveryRenderer) render(d listener.Delivery) error {
	if !r.json {
		return r.writeLine(r.line(d))
	}
	jd := jsonDelivery{Type: "delivery", WebhookID: d.WebhookID, ReceivedAt: d.ReceivedAt.UTC(),
		Verdict: string(d.Verdict), Reason: d.Reason, HTTPStatus: d.Status, Size: d.Size}
	var raw []byte
	if d.Verdict == listener.Rejected {
		jd.Type = "rejected"
	} else if d.Prediction != nil && !d.Truncated {
		raw, jd.InvalidUTF8 = validUTF8(d.Body)
	}
	// A pretty-printed body, one line for NDJSON. A valid JSON body holds
	// CR or LF only as white space: strings hold them escaped.
	if bytes.IndexByte(raw, '\n') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return err
		}
		raw = b.Bytes()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	line, err := appendDelivery(r.out.AvailableBuffer(), &jd)
	if err != nil {
		return err
	}
	if raw != nil {
		line = append(line[:len(line)-1], `,"prediction":`...)
		line = append(append(line, raw...), '}')
	}
	_, err = r.out.Write(append(line, '\n'))
	return err
}

// appendDelivery appends jd as json.Marshal encodes it.
func appendDelivery(b []byte, jd *jsonDelivery) ([]byte, error) {
	if y := jd.ReceivedAt.Year(); y < 0 || y > 9999 {
		_, err := json.Marshal(jd) // its error: the year is out of range
		return b, err
	}
	b = appendJSONString(append(b, `{"type":`...), jd.Type)
	b = appendJSONString(append(b, `,"webhook_id":`...), jd.WebhookID)
	b = append(jd.ReceivedAt.AppendFormat(append(b, `,"received_at":"`...), time.RFC3339Nano), '"')
	b = appendJSONString(append(b, `,"verdict":`...), jd.Verdict)
	if jd.Reason != "" {
		b = appendJSONString(append(b, `,"reason":`...), jd.Reason)
	}
	b = strconv.AppendInt(append(b, `,"http_status":`...), int64(jd.HTTPStatus), 10)
	b = strconv.AppendInt(append(b, `,"size":`...), jd.Size, 10)
	if jd.InvalidUTF8 {
		b = append(b, `,"invalid_utf8":true`...)
	}
	return append(b, '}'), nil
}

// appendJSONString appends s quoted as json.Marshal quotes it: printable
// ASCII other than the quote, the backslash and <, > and & (escaped for
// HTML) as is; anything else through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

// line renders a delivery as
// "21:04:05  --> completed  p_abc123  succeeded  verified  (4.1 KB)".
func (r *deliveryRenderer) line(d listener.Delivery) string {
	ts := d.ReceivedAt.Local().Format("15:04:05")
	if d.Verdict == listener.Rejected {
		return fmt.Sprintf("%s  x-> rejected  %s  %s  (HTTP %d)", ts, clean(orDash(d.WebhookID)), r.bad(clean(d.Reason)), d.Status)
	}
	event, id, status := "?", "-", "-"
	if p := d.Prediction; p != nil {
		event, id, status = prediction.EventName(p.Status), clean(p.ID), clean(string(p.Status))
	}
	verdict := string(d.Verdict)
	if d.Verdict == listener.Unverified {
		verdict = r.bad("UNVERIFIED (" + clean(d.Reason) + ")")
	}
	line := fmt.Sprintf("%s  --> %s  %s  %s  %s  (%s)", ts, event, id, status, verdict, humanSize(d.Size))
	return line + filesNote(d)
}

// filesNote shows a finished prediction's file outputs by their links:
// "  2 files: https://replicate.delivery/.../out-0.png ...".
func filesNote(d listener.Delivery) string {
	if !d.Accepted() || d.Prediction == nil || d.Prediction.Status != replicate.Succeeded {
		return ""
	}
	p, err := d.Decode()
	if err != nil {
		return ""
	}
	urls := fileURLs(p.Output)
	switch len(urls) {
	case 0:
		return ""
	case 1:
		return "  1 file: " + clean(urls[0])
	}
	return fmt.Sprintf("  %d files: %s ...", len(urls), clean(urls[0]))
}

// jsonForward is the NDJSON line of listen --json for a forward.
type jsonForward struct {
	Type       string `json:"type"` // "forward"
	WebhookID  string `json:"webhook_id"`
	Status     int    `json:"status,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	Error      string `json:"error,omitempty"`
}

// forwarded prints the answer to a forward:
// "21:04:05  <-- 200 OK  (12ms)  msg_2Yx...  http://localhost:3000/webhooks".
func (r *deliveryRenderer) forwarded(f delivery.Forwarded, target string, timeout time.Duration) error {
	res := f.Result
	if r.json {
		if err := r.writeJSON(jsonForward{Type: "forward", WebhookID: f.WebhookID, Status: res.Status,
			DurationMS: res.Duration.Milliseconds(), Error: res.Describe(timeout)}); err != nil {
			return err
		}
		return r.flush()
	}
	ts := time.Now().Local().Format("15:04:05")
	answer := fmt.Sprintf("%s  (%s)", statusText(res.Status), prediction.Round(res.Duration))
	if res.Err != nil {
		answer = r.bad("error: " + res.Describe(timeout))
	} else if !res.OK() {
		answer = r.bad(statusText(res.Status)) + fmt.Sprintf("  (%s)", prediction.Round(res.Duration))
	}
	if err := r.writeLine(fmt.Sprintf("%s  <-- %s  %s  %s", ts, answer, clean(orDash(f.WebhookID)), target)); err != nil {
		return err
	}
	return r.flush()
}

func (r *deliveryRenderer) writeLine(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := fmt.Fprintln(r.out, s)
	return err
}

func (r *deliveryRenderer) writeJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err = r.out.Write(append(b, '\n'))
	return err
}

// humanSize renders a byte count as "512 B", "4.1 KB" or "2.0 MB".
func humanSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 999_950: // rounds below "1000.0 KB"
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

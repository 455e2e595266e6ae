package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/fatih/color"
	"github.com/notifier-dev/notifier/internal/listener"
)

// deliveryRenderer prints listen's output: one line per delivery on stdout,
// as text or NDJSON (DESIGN.md §2).
type deliveryRenderer struct {
	io   *IOStreams
	json bool
	pr   *progress
	bad  func(string) string
}

func newDeliveryRenderer(io *IOStreams, asJSON bool) *deliveryRenderer {
	return &deliveryRenderer{io: io, json: asJSON, pr: newProgress(io), bad: io.paint(color.FgRed)}
}

// ready announces the webhook URL: the NDJSON ready line, or a line on stderr.
func (r *deliveryRenderer) ready(url string, lc listener.Config) error {
	if r.json {
		return r.writeJSON(map[string]any{"type": "ready", "url": url, "verify": lc.Secret != nil && !lc.SkipVerify})
	}
	mode := "signatures verified"
	switch {
	case lc.SkipVerify && lc.Secret == nil:
		mode = "SIGNATURES NOT CHECKED (--skip-verify)"
	case lc.SkipVerify:
		mode = "SIGNATURES CHECKED BUT NOT ENFORCED (--skip-verify)"
	}
	r.pr.line(fmt.Sprintf("Ready! Listening for webhooks at %s (%s). Ctrl-C to stop.", url, mode))
	return nil
}

// jsonDelivery is one NDJSON line of listen --json.
type jsonDelivery struct {
	Type       string          `json:"type"` // "delivery" or "rejected"
	WebhookID  string          `json:"webhook_id"`
	ReceivedAt time.Time       `json:"received_at"`
	Verdict    string          `json:"verdict"`
	Reason     string          `json:"reason,omitempty"`
	HTTPStatus int             `json:"http_status"`
	Size       int             `json:"size"`
	Prediction json.RawMessage `json:"prediction,omitempty"`
}

func (r *deliveryRenderer) render(d listener.Delivery) {
	if r.json {
		jd := jsonDelivery{Type: "delivery", WebhookID: d.WebhookID, ReceivedAt: d.ReceivedAt.UTC(),
			Verdict: string(d.Verdict), Reason: d.Reason, HTTPStatus: d.Status, Size: len(d.Body)}
		if d.Verdict == listener.Rejected {
			jd.Type = "rejected"
		} else if d.Prediction != nil {
			jd.Prediction = d.Prediction.RawJSON()
		}
		if err := r.writeJSON(jd); err != nil {
			r.pr.warnf("writing output: %v", err)
		}
		return
	}
	fmt.Fprintln(r.io.Out, r.line(d))
}

// line renders a delivery as
// "21:04:05  --> completed  p_abc123  succeeded  verified  (4.1 KB)".
func (r *deliveryRenderer) line(d listener.Delivery) string {
	ts := d.ReceivedAt.Local().Format("15:04:05")
	if d.Verdict == listener.Rejected {
		id := d.WebhookID
		if id == "" {
			id = "-"
		}
		return fmt.Sprintf("%s  x-> rejected  %s  %s  (HTTP %d)", ts, id, r.bad(d.Reason), d.Status)
	}
	event, id, status := "?", "-", "-"
	if p := d.Prediction; p != nil {
		event, id, status = eventName(p.Status), p.ID, string(p.Status)
	}
	verdict := string(d.Verdict)
	if d.Verdict == listener.Unverified {
		verdict = r.bad("UNVERIFIED (" + d.Reason + ")")
	}
	return fmt.Sprintf("%s  --> %s  %s  %s  %s  (%s)", ts, event, id, status, verdict, humanSize(len(d.Body)))
}

func (r *deliveryRenderer) writeJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = r.io.Out.Write(append(b, '\n'))
	return err
}

// humanSize renders a byte count as "512 B", "4.1 KB" or "2.0 MB".
func humanSize(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 999_950: // rounds below "1000.0 KB"
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

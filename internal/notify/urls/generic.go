package urls

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/notify"
)

// genericSummary is the body of a generic webhook for a summary.
type genericSummary struct {
	Type     string             `json:"type"` // "summary"
	Title    string             `json:"title"`
	Lines    []string           `json:"lines"`
	Failed   bool               `json:"failed"`
	Statuses []replicate.Status `json:"statuses,omitempty"`
}

// genericAlert is the body of a generic webhook for an alert or recovery.
type genericAlert struct {
	Type          string    `json:"type"` // "alert"
	Recovered     bool      `json:"recovered"`
	Failures      int       `json:"failures"`
	Total         int       `json:"total"`
	Threshold     float64   `json:"threshold"`
	WindowSeconds float64   `json:"window_seconds"`
	At            time.Time `json:"at"`
	Model         string    `json:"model,omitempty"`
	Recent        []string  `json:"recent,omitempty"`
}

// genericBody is what a generic webhook posts: for a result, the
// prediction's JSON as received with "type":"prediction" first (so that
// 'notifier listen' and any Replicate webhook handler read it as a
// prediction); for a summary or an alert, an object of its own.
func genericBody(n notify.Notification) ([]byte, error) {
	switch n.Kind {
	case notify.KindResult:
		raw := bytes.TrimSpace(n.Raw)
		if len(raw) == 0 {
			b, err := json.Marshal(n.Prediction)
			if err != nil {
				return nil, err
			}
			raw = b
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil, fmt.Errorf("the prediction is not a JSON object")
		}
		if _, has := obj["type"]; has || len(obj) == 0 {
			return raw, nil
		}
		return append([]byte(`{"type":"prediction",`), raw[1:]...), nil
	case notify.KindSummary:
		return json.Marshal(genericSummary{Type: "summary", Title: n.Title, Lines: n.Lines, Failed: n.Failed, Statuses: n.Statuses})
	case notify.KindAlert:
		a := n.Alert
		return json.Marshal(genericAlert{Type: "alert", Recovered: a.Recovered, Failures: a.Failures, Total: a.Total,
			Threshold: a.Threshold, WindowSeconds: a.Window.Seconds(), At: a.At.UTC(), Model: a.Model, Recent: a.Recent})
	}
	return nil, fmt.Errorf("unknown notification kind %d", n.Kind)
}

// sendGeneric posts n as JSON, signed with Standard Webhooks headers. The
// webhook-id is derived from the body, so a retry has the same id and a
// receiver that deduplicates by it takes the notification once.
func (c *Channel) sendGeneric(ctx context.Context, n notify.Notification, _ *message) error {
	body, err := genericBody(n)
	if err != nil {
		return &Error{Channel: c.name, msg: "building the webhook body: " + err.Error()}
	}
	sum := sha256.Sum256(body)
	id := "msg_" + hex.EncodeToString(sum[:12])
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "notifier")
	c.opts.Secret.SignHeaders(h, id, c.opts.Now(), body)
	return c.post(ctx, body, h)
}

// post sends body to the channel's own target and checks the answer.
func (c *Channel) post(ctx context.Context, body []byte, h http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.target, bytes.NewReader(body))
	if err != nil {
		return errorf(c.name, c.red, 0, false, "building the request: %v", err)
	}
	req.Header = h
	rec := &recorder{}
	resp, err := c.client(ctx, rec).Do(req)
	if err != nil {
		return newError(c.name, c.red, err, rec)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	temp := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	msg := resp.Status
	if t := oneLine(string(bytes.ToValidUTF8(text, nil))); t != "" {
		msg += ": " + t
	}
	return errorf(c.name, c.red, resp.StatusCode, temp, "%s answered %s", c.service, msg)
}

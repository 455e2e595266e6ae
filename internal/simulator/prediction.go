package simulator

import (
	"bytes"
	"encoding/json"
	"time"
)

// Prediction statuses (docs/replicate.md, "The prediction object").
const (
	statusStarting   = "starting"
	statusProcessing = "processing"
	statusSucceeded  = "succeeded"
	statusFailed     = "failed"
	statusCanceled   = "canceled"
	statusAborted    = "aborted"
)

// Webhook event types (docs/replicate.md, "Webhooks").
const (
	eventStart     = "start"
	eventOutput    = "output"
	eventLogs      = "logs"
	eventCompleted = "completed"
)

// allEvents are the events a webhook_events_filter may name.
var allEvents = []string{eventStart, eventOutput, eventLogs, eventCompleted}

// defaultEvents is the filter used when a request gives none: Replicate
// documents that it then sends a webhook "whenever there are new outputs or
// the prediction has finished" (docs/replicate.md, "Webhooks").
var defaultEvents = []string{eventOutput, eventCompleted}

func isTerminal(status string) bool {
	switch status {
	case statusSucceeded, statusFailed, statusCanceled, statusAborted:
		return true
	}
	return false
}

// prediction is one prediction's state. All fields after the immutable ones
// are guarded by Simulator.mu.
type prediction struct {
	// Immutable after creation.
	seq      int
	id       string
	target   runTarget
	input    map[string]any
	webhook  string
	filter   []string
	urls     map[string]string
	origin   string // the simulator's origin, "http://HOST:PORT", for delivery URLs and file inputs
	created  time.Time
	deadline time.Time     // zero when no Cancel-After was given
	done     chan struct{} // closed when the status becomes terminal
	hooks    *deliverer    // nil without a webhook

	// Guarded by Simulator.mu.
	status    string
	output    any
	logs      string
	errMsg    string
	started   time.Time
	completed time.Time
	// changed is closed and replaced at every change, for the stream.
	changed chan struct{}
	// delivered holds the output files served at delivery URLs, by name
	// ("out-0.png"); dataRemoved is set, and they are dropped, when the
	// output TTL passes (docs/simulator.md, "Files, images and streaming").
	delivered   map[string][]byte
	dataRemoved bool
	expiry      *time.Timer // removes the data; nil until terminal
}

// notifyLocked wakes the prediction's streams; Simulator.mu must be held.
func (p *prediction) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// wirePrediction is the JSON shape of a prediction (docs/replicate.md, "The prediction object").
type wirePrediction struct {
	ID                  string            `json:"id"`
	Model               string            `json:"model"`
	Version             string            `json:"version"`
	Deployment          string            `json:"deployment,omitempty"`
	Input               map[string]any    `json:"input"`
	Output              any               `json:"output"`
	Logs                string            `json:"logs"`
	Error               *string           `json:"error"`
	Status              string            `json:"status"`
	CreatedAt           string            `json:"created_at"`
	StartedAt           *string           `json:"started_at"`
	CompletedAt         *string           `json:"completed_at"`
	Deadline            *string           `json:"deadline,omitempty"`
	Metrics             *wireMetrics      `json:"metrics,omitempty"`
	URLs                map[string]string `json:"urls"`
	DataRemoved         bool              `json:"data_removed"`
	Source              string            `json:"source"`
	Webhook             *string           `json:"webhook"`
	WebhookEventsFilter []string          `json:"webhook_events_filter"`
}

type wireMetrics struct {
	PredictTime float64 `json:"predict_time"`
	TotalTime   float64 `json:"total_time"`
}

// wireLocked returns the JSON shape of p; Simulator.mu must be held.
func (p *prediction) wireLocked() wirePrediction {
	w := wirePrediction{
		ID: p.id, Model: p.target.model.fullName(), Version: p.target.version, Deployment: p.target.deployment, Input: p.input,
		Output: p.output, Logs: p.logs, Status: p.status,
		CreatedAt: stamp(p.created), StartedAt: optStamp(p.started),
		CompletedAt: optStamp(p.completed), Deadline: optStamp(p.deadline),
		URLs: p.urls, Source: "api", WebhookEventsFilter: p.filter,
	}
	if p.errMsg != "" {
		w.Error = &p.errMsg
	}
	if p.dataRemoved {
		// Replicate removes an API prediction's input and output, files
		// included, after an hour (docs/simulator.md, "Files, images and
		// streaming").
		w.Input, w.Output, w.DataRemoved = nil, nil, true
	}
	if p.webhook != "" {
		w.Webhook = &p.webhook
	}
	if isTerminal(p.status) {
		m := &wireMetrics{TotalTime: p.completed.Sub(p.created).Seconds()}
		if !p.started.IsZero() {
			m.PredictTime = p.completed.Sub(p.started).Seconds()
		}
		w.Metrics = m
	}
	return w
}

// snapshotLocked returns p as JSON; Simulator.mu must be held.
// HTML characters are not escaped, as Replicate's API does not escape them:
// clients must treat "<script>" in an output as text themselves.
func (p *prediction) snapshotLocked() json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p.wireLocked()); err != nil {
		// Inputs come from decoded JSON and outputs are built from them,
		// so they always marshal.
		panic("simulator: marshalling prediction: " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// stampLayout is how Replicate writes times: UTC, always six fractional
// digits, "Z" (docs/replicate.md, "The prediction object"). Clients parse
// it with fixed layouts, such as Python's strptime("%Y-%m-%dT%H:%M:%S.%fZ").
const stampLayout = "2006-01-02T15:04:05.000000Z"

// stamp writes t as Replicate does. Times are kept truncated to the
// microsecond (Simulator.now), so durations agree with the stamps.
func stamp(t time.Time) string { return t.UTC().Format(stampLayout) }

func optStamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := stamp(t)
	return &s
}

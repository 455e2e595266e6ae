package email

import (
	"bytes"
	"encoding/json"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/replicate/replicate-go"
)

// Message is a built email: a subject and the same content as plain text and
// HTML, sent as multipart/alternative.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Defaults applied by Build to zero BuildOptions fields.
const (
	// DefaultLogLines is how many of the last log lines are shown.
	DefaultLogLines = 20
	// DefaultMaxOutputBytes bounds the output shown; past it a note says how
	// much was left out.
	DefaultMaxOutputBytes = 64 << 10
	// DefaultMaxJSONBytes bounds the full prediction JSON at the end.
	DefaultMaxJSONBytes = 64 << 10
	// maxLogLineBytes bounds a single log line; progress bars can be huge.
	maxLogLineBytes = 2 << 10
)

// BuildOptions tunes Build. Zero fields take the documented defaults.
type BuildOptions struct {
	// LogLines is how many of the last log lines to show (default DefaultLogLines).
	LogLines int
	// MaxOutputBytes bounds the output (default DefaultMaxOutputBytes).
	MaxOutputBytes int
	// MaxJSONBytes bounds the full prediction JSON (default DefaultMaxJSONBytes).
	MaxJSONBytes int
	// Notes are shown above the details, e.g. "webhook not received; result
	// fetched by polling".
	Notes []string
}

func (o BuildOptions) withDefaults() BuildOptions {
	if o.LogLines <= 0 {
		o.LogLines = DefaultLogLines
	}
	if o.MaxOutputBytes <= 0 {
		o.MaxOutputBytes = DefaultMaxOutputBytes
	}
	if o.MaxJSONBytes <= 0 {
		o.MaxJSONBytes = DefaultMaxJSONBytes
	}
	return o
}

// Build makes the email for one prediction: subject
// "[notifier] <model> <id> <status>", then status, times and durations, error,
// the last log lines, the output, the web link and the full prediction JSON.
// raw is the prediction as received (a webhook body or an API answer); when
// empty, p.RawJSON() or p re-encoded is used. Keeping raw keeps the output's
// numbers exactly as sent.
func Build(p *replicate.Prediction, raw json.RawMessage, opts BuildOptions) (*Message, error) {
	opts = opts.withDefaults()
	if len(raw) == 0 {
		raw = p.RawJSON()
	}
	if len(raw) == 0 {
		var err error
		if raw, err = json.Marshal(p); err != nil {
			return nil, err
		}
	}
	v := newPredictionView(p, raw, opts)
	return render(subjectFor(p), predictionText(), predictionHTML(), v)
}

// subjectFor is "[notifier] <model> <id> <status>".
func subjectFor(p *replicate.Prediction) string {
	model := p.Model
	if model == "" {
		model = "prediction"
	}
	return "[notifier] " + oneLine(model+" "+p.ID+" "+string(p.Status))
}

// render executes the text and HTML templates with the same data.
func render(subject string, text *texttemplate.Template, html *htmltemplate.Template, data any) (*Message, error) {
	var tb, hb bytes.Buffer
	if err := text.Execute(&tb, data); err != nil {
		return nil, err
	}
	if err := html.Execute(&hb, data); err != nil {
		return nil, err
	}
	return &Message{Subject: subject, Text: tb.String(), HTML: hb.String()}, nil
}

// oneLine replaces control characters (newlines included) with spaces, so a
// value cannot break a header or a one-line field.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

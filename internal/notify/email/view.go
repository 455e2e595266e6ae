package email

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/prediction"
)

// predictionView is what the prediction templates show. Every field is
// already a display string; the templates only lay them out (and html/template
// escapes them).
type predictionView struct {
	Model, Version, ID, Status, Source string
	WebURL                             string
	Notes                              []string

	Created, Started, Completed string
	Queue, Run, Total           string
	PredictTime                 string

	Error string

	Logs      []string
	LogsShown string // "last 20 of 135 lines", or "" when all are shown

	Output outputView

	JSON     string
	JSONNote string
}

func newPredictionView(p *replicate.Prediction, raw json.RawMessage, opts BuildOptions) predictionView {
	v := predictionView{
		Model:   oneLine(p.Model),
		Version: oneLine(p.Version),
		ID:      oneLine(p.ID),
		Status:  oneLine(string(p.Status)),
		Source:  oneLine(string(p.Source)),
		WebURL:  prediction.WebURL(p),
		Notes:   opts.Notes,
		Error:   prediction.ErrorText(p.Error),
		Output:  newOutputView(outputJSON(p, raw), opts.MaxOutputBytes),
	}
	v.setTimes(p)
	v.setLogs(p.Logs, opts.LogLines)
	v.JSON, v.JSONNote = prettyJSON(raw, opts.MaxJSONBytes)
	return v
}

// setTimes shows the timestamps in UTC and the durations between them:
// queue = started-created, run = completed-started, total = completed-created.
func (v *predictionView) setTimes(p *replicate.Prediction) {
	tm := prediction.TimesOf(p)
	v.Created = showTime(p.CreatedAt, tm.Created)
	v.Started = showTime(deref(p.StartedAt), tm.Started)
	v.Completed = showTime(deref(p.CompletedAt), tm.Completed)
	if d, ok := tm.Queue(); ok {
		v.Queue = showDuration(d)
	}
	if d, ok := tm.Run(); ok {
		v.Run = showDuration(d)
	}
	if d, ok := tm.Total(); ok {
		v.Total = showDuration(d)
	}
	if p.Metrics != nil && p.Metrics.PredictTime != nil {
		v.PredictTime = showSeconds(*p.Metrics.PredictTime)
	}
}

// setLogs keeps the last n lines, each bounded.
func (v *predictionView) setLogs(logs *string, n int) {
	text := strings.TrimRight(strings.ReplaceAll(deref(logs), "\r\n", "\n"), "\n")
	if text == "" {
		return
	}
	lines := strings.Split(text, "\n")
	if len(lines) > n {
		v.LogsShown = fmt.Sprintf("last %d of %d lines", n, len(lines))
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if len(l) > maxLogLineBytes {
			lines[i] = truncateUTF8(l, maxLogLineBytes) + " [line truncated]"
		}
	}
	v.Logs = lines
}

// prettyJSON indents raw and bounds it; invalid JSON is shown as it came.
func prettyJSON(raw json.RawMessage, max int) (text, note string) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		buf.Reset()
		buf.Write(raw)
	}
	text = buf.String()
	if len(text) > max {
		note = fmt.Sprintf("truncated: first %s of %s shown", showSize(max), showSize(len(text)))
		text = truncateUTF8(text, max)
	}
	return text, note
}

// showTime formats t in UTC with milliseconds; an unparsable timestamp (t
// zero) is shown as it came.
func showTime(raw string, t time.Time) string {
	if t.IsZero() {
		return oneLine(raw)
	}
	return t.UTC().Format("2006-01-02 15:04:05.000 UTC")
}

// showDuration rounds to the millisecond, which is what the timestamps carry
// in practice, and to the microsecond under a millisecond, so that a fast
// prediction does not read 0s.
func showDuration(d time.Duration) string {
	if d.Abs() < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// showSeconds shows a number of seconds, such as metrics.predict_time, as
// showDuration does: 1.00009537 is 1s, 2.3456 is 2.346s. A value no
// Duration holds is shown as it came.
func showSeconds(f float64) string {
	if ns := f * float64(time.Second); !math.IsNaN(ns) && math.Abs(ns) < math.MaxInt64 {
		return showDuration(time.Duration(math.Round(ns)))
	}
	return strconv.FormatFloat(f, 'g', -1, 64) + "s"
}

// showSize is a byte count for people: 512 B, 64.0 KiB, 1.2 MiB.
func showSize(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// truncateUTF8 cuts s to at most max bytes without splitting a character.
func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && max < len(s) && s[max]&0xC0 == 0x80 {
		max--
	}
	return s[:max]
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

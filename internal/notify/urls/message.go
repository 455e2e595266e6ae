package urls

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/prediction"
)

// Bounds of a message: chat services cut or refuse longer ones.
const (
	maxOutputText = 500 // bytes of a text output shown
	maxLinks      = 10  // file URLs shown
	maxLogLines   = 10
	maxErrorText  = 1000
	maxLines      = 40 // lines of a summary or alert
)

// level is how a message is coloured or prioritised.
type level int

const (
	levelGood level = iota + 1 // succeeded; a recovery; a passing summary
	levelWarn                  // canceled
	levelBad                   // failed, aborted; a failure-rate alert; a failing summary
)

// fact is one "name: value" line.
type fact struct{ Name, Value string }

// message is a notification as every channel shows it, before each renders
// it in its own markup.
type message struct {
	Kind    notify.Kind
	Title   string // one line
	Level   level
	Status  string // the prediction's status, for results
	Model   string
	ID      string
	Facts   []fact
	Notes   []string
	Error   string
	Logs    []string
	Output  string   // a text output, shortened, or other JSON compacted
	Links   []string // file URLs of the output
	More    string   // what was left out of the output
	Link    string   // the prediction's web page
	Lines   []string // a summary's or an alert's own lines
	Alert   *notify.Alert
	Failing bool // a failure: colour, priority, PagerDuty trigger
}

// newMessage builds the message for n.
func newMessage(n notify.Notification) (*message, error) {
	switch n.Kind {
	case notify.KindResult:
		if n.Prediction == nil {
			return nil, fmt.Errorf("a result without a prediction")
		}
		return resultMessage(n.Prediction, n.Raw, n.Notes), nil
	case notify.KindSummary:
		m := &message{Kind: n.Kind, Title: oneLine(n.Title), Level: levelGood, Failing: n.Failed}
		if n.Failed {
			m.Level = levelBad
		}
		for i, l := range n.Lines {
			if i == maxLines {
				m.Lines = append(m.Lines, fmt.Sprintf("(%d more lines)", len(n.Lines)-maxLines))
				break
			}
			m.Lines = append(m.Lines, strings.Join(strings.Fields(l), " "))
		}
		return m, nil
	case notify.KindAlert:
		if n.Alert == nil {
			return nil, fmt.Errorf("an alert without its details")
		}
		return alertMessage(n.Alert), nil
	}
	return nil, fmt.Errorf("unknown notification kind %d", n.Kind)
}

func resultMessage(p *replicate.Prediction, raw json.RawMessage, notes []string) *message {
	m := &message{Kind: notify.KindResult, Status: string(p.Status), Model: p.Model, ID: p.ID,
		Link: prediction.WebURL(p), Notes: notes}
	model := p.Model
	if model == "" {
		model = "prediction"
	}
	m.Title = oneLine(fmt.Sprintf("%s %s %s", model, p.ID, p.Status))
	switch p.Status {
	case replicate.Succeeded:
		m.Level = levelGood
	case replicate.Canceled:
		m.Level = levelWarn
	default:
		m.Level, m.Failing = levelBad, true
	}
	m.Facts = append(m.Facts, fact{"Status", string(p.Status)}, fact{"Model", p.Model}, fact{"Prediction", p.ID})
	t := prediction.TimesOf(p)
	if total, ok := t.Total(); ok {
		d := prediction.Round(total).String()
		if run, ok := t.Run(); ok {
			if q, ok := t.Queue(); ok {
				d += fmt.Sprintf(" (queued %s, ran %s)", prediction.Round(q), prediction.Round(run))
			}
		}
		m.Facts = append(m.Facts, fact{"Duration", d})
	}
	if e := prediction.ErrorText(p.Error); e != "" {
		m.Error = truncate(e, maxErrorText)
	}
	if m.Failing && p.Logs != nil {
		lines := strings.Split(strings.TrimRight(*p.Logs, "\n"), "\n")
		if len(lines) > maxLogLines {
			lines = lines[len(lines)-maxLogLines:]
		}
		for _, l := range lines {
			if l = strings.TrimRight(l, "\r"); l != "" {
				m.Logs = append(m.Logs, truncate(l, 200))
			}
		}
	}
	m.setOutput(p, raw)
	return m
}

// setOutput shows a string output shortened, file URLs as links, and any
// other JSON compacted and shortened.
func (m *message) setOutput(p *replicate.Prediction, raw json.RawMessage) {
	var w struct {
		Output json.RawMessage `json:"output"`
	}
	out := p.Output
	if json.Unmarshal(raw, &w) == nil && len(w.Output) > 0 {
		var v any
		if json.Unmarshal(w.Output, &v) == nil {
			out = v
		}
	}
	var strs []string
	switch v := out.(type) {
	case nil:
		return
	case string:
		strs = []string{v}
	case []any:
		if list, ok := prediction.Strings(v); ok && len(list) > 0 {
			strs = list
		}
	}
	if strs == nil {
		b, _ := json.Marshal(out)
		m.Output = truncate(string(b), maxOutputText)
		return
	}
	var text []string
	for _, s := range strs {
		if prediction.IsLink(s) {
			if len(m.Links) < maxLinks {
				m.Links = append(m.Links, s)
			}
			continue
		}
		text = append(text, s)
	}
	if n := len(strs) - len(text) - len(m.Links); n > 0 {
		m.More = fmt.Sprintf("%d more files", n)
	}
	m.Output = truncate(strings.Join(text, ""), maxOutputText)
}

func alertMessage(a *notify.Alert) *message {
	m := &message{Kind: notify.KindAlert, Alert: a, Model: a.Model}
	scope := "predictions"
	if a.Model != "" {
		scope = a.Model + " predictions"
	}
	if a.Recovered {
		m.Level = levelGood
		m.Title = fmt.Sprintf("recovered: %d of %d %s failed in the last %s", a.Failures, a.Total, scope, notify.ShortDuration(a.Window))
	} else {
		m.Level, m.Failing = levelBad, true
		m.Title = fmt.Sprintf("alert: %d of %d %s failed in the last %s", a.Failures, a.Total, scope, notify.ShortDuration(a.Window))
	}
	m.Facts = []fact{{"Failure rate", percent(a.Failures, a.Total)}, {"Threshold", fmt.Sprintf("%g%%", a.Threshold*100)},
		{"Window", notify.ShortDuration(a.Window)}, {"At", a.At.UTC().Format(time.RFC3339)}}
	for _, r := range a.Recent {
		m.Lines = append(m.Lines, "recent failure: "+oneLine(r))
	}
	return m
}

func percent(n, total int) string {
	if total == 0 {
		return "0%"
	}
	return fmt.Sprintf("%d%% (%d of %d)", n*100/total, n, total)
}

// markup renders a message in a service's syntax.
type markup struct {
	esc  func(string) string // text of the prediction's own
	bold func(string) string
	link func(text, url string) string
	code func(string) string
}

var (
	plain    = markup{esc: id, bold: id, link: func(t, u string) string { return t + " " + u }, code: id}
	markdown = markup{esc: id, bold: func(s string) string { return "**" + s + "**" },
		link: func(t, u string) string { return "[" + mdEscape(t) + "](" + u + ")" },
		code: func(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }}
	slackMarkup = markup{esc: func(s string) string { return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s) }, bold: func(s string) string { return "*" + s + "*" },
		link: func(t, u string) string { return "<" + u + "|" + slackEscape(t) + ">" },
		code: func(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }}
)

func id(s string) string { return s }

// body is the message text below the title, one line per item.
func (m *message) body(mk markup) []string {
	var out []string
	for _, n := range m.Notes {
		out = append(out, "Note: "+mk.esc(oneLine(n)))
	}
	for _, f := range m.Facts {
		if f.Value == "" {
			continue
		}
		v := mk.esc(f.Value)
		if f.Name == "Prediction" && m.Link != "" {
			v = mk.link(f.Value, m.Link)
		}
		out = append(out, mk.bold(f.Name)+": "+v)
	}
	if m.Error != "" {
		out = append(out, mk.bold("Error")+": "+mk.esc(oneLine(m.Error)))
	}
	if len(m.Logs) > 0 {
		out = append(out, mk.bold("Last log lines")+":")
		for _, l := range m.Logs {
			out = append(out, "  "+mk.code(mk.esc(l)))
		}
	}
	if m.Output != "" {
		out = append(out, mk.bold("Output")+": "+mk.esc(oneLine(m.Output)))
	}
	for i, l := range m.Links {
		out = append(out, mk.bold(fmt.Sprintf("File %d", i+1))+": "+mk.link(fileName(l), l))
	}
	if m.More != "" {
		out = append(out, "("+m.More+")")
	}
	for _, l := range m.Lines {
		out = append(out, mk.esc(l))
	}
	return out
}

// fileName is the last path segment of a file URL, for its link text.
func fileName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if i := strings.LastIndex(u.Path, "/"); i >= 0 && i < len(u.Path)-1 {
		return u.Path[i+1:]
	}
	return raw
}

// oneLine folds whitespace, newlines included, into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncate cuts s to at most max bytes on a rune boundary, marking the cut.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func mdEscape(s string) string {
	return strings.NewReplacer("[", "(", "]", ")").Replace(s)
}

func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "/").Replace(s)
}

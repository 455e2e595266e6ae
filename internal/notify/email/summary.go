package email

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
	"unicode/utf8"

	"github.com/notifier-dev/notifier/internal/notify"
)

// BuildSummary makes a simple email of a title and lines, such as smoke
// mode's one summary of a batch or email-test's test email. The subject is
// "[notifier] <title>", with the tag once even when title starts with it.
//
// A line that holds a tab is a table row, its cells separated by tabs, and
// consecutive rows make one table whose first row is its header. The
// plain-text part pads the cells with spaces so that the columns line up
// (the first column aligned left, the others right, two spaces apart); the
// HTML part renders a <table>. Other lines are kept as they are (in <pre>
// in HTML), so a line that is not a table row must hold no tab: replace
// tabs in text that comes from elsewhere.
func BuildSummary(title string, lines []string) (*Message, error) {
	title = oneLine(title)
	if t, ok := strings.CutPrefix(title, subjectTag); ok {
		title = strings.TrimLeft(t, " ")
	}
	blocks := summaryBlocks(lines)
	var text []string
	for _, b := range blocks {
		text = append(text, b.text()...)
	}
	data := struct {
		Title  string
		Text   []string
		Blocks []summaryBlock
	}{title, text, blocks}
	return render(subjectTag+" "+data.Title, summaryText(), summaryHTML(), data)
}

// subjectTag starts every subject notifier sends.
const subjectTag = "[notifier]"

// summaryBlock is a run of plain lines, or a table (when Header is set).
type summaryBlock struct {
	Lines  []string
	Header []string
	Rows   [][]string
}

// summaryBlocks groups lines into runs of plain lines and tables.
func summaryBlocks(lines []string) []summaryBlock {
	var blocks []summaryBlock
	for _, l := range lines {
		row := strings.Contains(l, "\t")
		var last *summaryBlock
		if n := len(blocks); n > 0 {
			last = &blocks[n-1]
		}
		switch {
		case row && last != nil && last.Header != nil:
			last.Rows = append(last.Rows, strings.Split(l, "\t"))
		case row:
			blocks = append(blocks, summaryBlock{Header: strings.Split(l, "\t")})
		case last != nil && last.Header == nil:
			last.Lines = append(last.Lines, l)
		default:
			blocks = append(blocks, summaryBlock{Lines: []string{l}})
		}
	}
	return blocks
}

// text renders the block for the plain-text part: a table with its columns
// padded to their widest cell, in characters.
func (b summaryBlock) text() []string {
	if b.Header == nil {
		return b.Lines
	}
	rows := append([][]string{b.Header}, b.Rows...)
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		var sb strings.Builder
		for i, w := range widths {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			pad := strings.Repeat(" ", w-utf8.RuneCountInString(c))
			switch {
			case i == 0:
				sb.WriteString(c + pad)
			default:
				sb.WriteString("  " + pad + c)
			}
		}
		out = append(out, strings.TrimRight(sb.String(), " "))
	}
	return out
}

var summaryText = sync.OnceValue(func() *texttemplate.Template {
	return texttemplate.Must(texttemplate.New("summary.txt").Parse(`{{.Title}}

{{range .Text}}{{.}}
{{end}}`))
})

var summaryHTML = sync.OnceValue(func() *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("summary.html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family: sans-serif">
<h2>{{.Title}}</h2>
{{range .Blocks}}{{if .Header}}<table style="border-collapse: collapse; font-family: monospace">
<tr>{{range $i, $c := .Header}}<th align="{{if $i}}right{{else}}left{{end}}" style="padding: 2px 8px">{{$c}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range $i, $c := .}}<td align="{{if $i}}right{{else}}left{{end}}" style="padding: 2px 8px">{{$c}}</td>{{end}}</tr>
{{end}}</table>
{{else}}<pre>{{range .Lines}}{{.}}
{{end}}</pre>
{{end}}{{end -}}
</body></html>
`))
})

// BuildAlert makes the email sent when the failure rate crosses the threshold
// or recovers, e.g. subject
// "[notifier] alert: 3 of 10 predictions failed in the last 10m (30% ≥ 20%)".
func BuildAlert(a notify.Alert) (*Message, error) {
	data := alertView{
		Failures: a.Failures, Total: a.Total,
		Share: percent(a.Failures, a.Total), Threshold: percentOf(a.Threshold),
		Window: notify.ShortDuration(a.Window), At: a.At.UTC().Format("2006-01-02 15:04:05 UTC"),
		Recent: a.Recent,
	}
	if a.Recovered {
		data.Headline = "Failure rate recovered"
		data.Compare = "<"
		data.Word = "recovered"
	} else {
		data.Headline = "Failure rate alert"
		data.Compare = "≥"
		data.Word = "alert"
	}
	subject := fmt.Sprintf("[notifier] %s: %d of %d predictions failed in the last %s (%s %s %s)",
		data.Word, a.Failures, a.Total, data.Window, data.Share, data.Compare, data.Threshold)
	return render(subject, alertText(), alertHTML(), data)
}

type alertView struct {
	Headline, Word, Compare string
	Failures, Total         int
	Share, Threshold        string
	Window, At              string
	Recent                  []string
}

var alertText = sync.OnceValue(func() *texttemplate.Template {
	return texttemplate.Must(texttemplate.New("alert.txt").Parse(`{{.Headline}}

{{.Failures}} of {{.Total}} predictions completed in the last {{.Window}} failed, canceled or aborted: {{.Share}} {{.Compare}} {{.Threshold}}.
At: {{.At}}
{{if .Recent}}
Recent failures:
{{range .Recent}}  {{.}}
{{end}}{{end}}`))
})

var alertHTML = sync.OnceValue(func() *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("alert.html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Headline}}</title></head>
<body style="font-family: sans-serif">
<h2>{{.Headline}}</h2>
<p>{{.Failures}} of {{.Total}} predictions completed in the last {{.Window}} failed, canceled or aborted:
<strong>{{.Share}} {{.Compare}} {{.Threshold}}</strong>.</p>
<p>At: {{.At}}</p>
{{if .Recent}}<h3>Recent failures</h3>
<ul>
{{range .Recent}}<li>{{.}}</li>
{{end}}</ul>
{{end -}}
</body></html>
`))
})

// percent is n/total as a whole percentage.
func percent(n, total int) string {
	if total == 0 {
		return "0%"
	}
	return percentOf(float64(n) / float64(total))
}

// percentOf shows f as a percentage with at most one decimal: 20%, 33.3%.
func percentOf(f float64) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", f*100), ".0") + "%"
}

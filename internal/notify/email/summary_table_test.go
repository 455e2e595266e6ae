package email

import (
	"strings"
	"testing"

	"github.com/notifier-dev/notifier/internal/notify"
)

// TestBuildSummaryTable: lines with tabs are a table, aligned in the text
// part (widths in characters: µ is one) and a <table> in the HTML part.
func TestBuildSummaryTable(t *testing.T) {
	m, err := BuildSummary("smoke acme/m: FAIL", []string{
		"verdict: FAIL: 1 of 3 predictions did not succeed (at most 0 allowed)",
		"\tn\tmin\tp50\tp95\tmax",
		"queue\t3\t12µs\t1.43ms\t1s\t1s",
		"webhook lag\t3\t-2ms\t400ns\t123ms\t<b>",
		"[3/3] p3 failed in 1.2s: boom",
		"second\ttable",
		"x\ty\textra",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `smoke acme/m: FAIL

verdict: FAIL: 1 of 3 predictions did not succeed (at most 0 allowed)
             n   min     p50    p95  max
queue        3  12µs  1.43ms     1s   1s
webhook lag  3  -2ms   400ns  123ms  <b>
[3/3] p3 failed in 1.2s: boom
second  table
x           y  extra
`
	if m.Text != want {
		t.Errorf("text:\n%s\nwant:\n%s", m.Text, want)
	}
	for _, part := range []string{
		"<pre>verdict: FAIL: 1 of 3 predictions did not succeed (at most 0 allowed)\n</pre>",
		`<tr><th align="left" style="padding: 2px 8px"></th><th align="right" style="padding: 2px 8px">n</th>`,
		`<tr><td align="left" style="padding: 2px 8px">webhook lag</td><td align="right" style="padding: 2px 8px">3</td>`,
		`<td align="right" style="padding: 2px 8px">&lt;b&gt;</td></tr>`,
		"</table>\n<pre>[3/3] p3 failed in 1.2s: boom\n</pre>\n<table",
		`<td align="right" style="padding: 2px 8px">extra</td>`,
	} {
		if !strings.Contains(m.HTML, part) {
			t.Errorf("HTML lacks %q:\n%s", part, m.HTML)
		}
	}
	if strings.Count(m.HTML, "<table") != 2 || strings.Contains(m.HTML, "<b>") || strings.Contains(m.HTML, "\t") {
		t.Errorf("HTML:\n%s", m.HTML)
	}
}

// TestSummarySubjectTaggedOnce: summaries (smoke mode's, email-test's) say
// [notifier] once, even when the title already does.
func TestSummarySubjectTaggedOnce(t *testing.T) {
	for title, want := range map[string]string{
		"test email":                    "[notifier] test email",
		"smoke zeke/chaos-monkey: PASS": "[notifier] smoke zeke/chaos-monkey: PASS",
		"[notifier] test email":         "[notifier] test email",
		"[notifier]test email":          "[notifier] test email",
	} {
		m, err := BuildNotification(notify.Notification{Kind: notify.KindSummary, Title: title, Lines: []string{"x"}})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != want {
			t.Errorf("title %q: subject %q, want %q", title, m.Subject, want)
		}
	}
}

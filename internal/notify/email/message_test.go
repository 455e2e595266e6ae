package email

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/replicate/replicate-go"
)

// decodePrediction decodes body the way the CLI gets predictions, so RawJSON is set.
func decodePrediction(t *testing.T, body string) *replicate.Prediction {
	t.Helper()
	var p replicate.Prediction
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("decoding prediction: %v", err)
	}
	return &p
}

func build(t *testing.T, body string, opts BuildOptions) *Message {
	t.Helper()
	m, err := Build(decodePrediction(t, body), nil, opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return m
}

const failedPrediction = `{"id":"p1","model":"zeke/chaos-monkey","version":"0098011f","status":"failed",` +
	`"created_at":"2025-01-02T03:04:05.100Z","started_at":"2025-01-02T03:04:06.600Z",` +
	`"completed_at":"2025-01-02T03:04:08.850Z","error":"boom","logs":"one\ntwo\n","output":null,` +
	`"urls":{"web":"https://replicate.com/p/p1"},"input":{"n":12345678901234567890}}`

// TestBuildText pins the whole plain-text layout of a small prediction.
func TestBuildText(t *testing.T) {
	m := build(t, failedPrediction, BuildOptions{Notes: []string{"webhook not received; result fetched by polling"}})
	if want := "[notifier] zeke/chaos-monkey p1 failed"; m.Subject != want {
		t.Errorf("subject = %q, want %q", m.Subject, want)
	}
	want := `Note: webhook not received; result fetched by polling

Prediction p1 failed
https://replicate.com/p/p1

Model:        zeke/chaos-monkey
Version:      0098011f
Status:       failed
Created:      2025-01-02 03:04:05.100 UTC
Started:      2025-01-02 03:04:06.600 UTC
Completed:    2025-01-02 03:04:08.850 UTC
Queued for:   1.5s
Ran for:      2.25s
Total:        3.75s

Error:
boom

Logs:
  one
  two

Output:
(none)

Prediction JSON:
{
  "id": "p1",
  "model": "zeke/chaos-monkey",
  "version": "0098011f",
  "status": "failed",
  "created_at": "2025-01-02T03:04:05.100Z",
  "started_at": "2025-01-02T03:04:06.600Z",
  "completed_at": "2025-01-02T03:04:08.850Z",
  "error": "boom",
  "logs": "one\ntwo\n",
  "output": null,
  "urls": {
    "web": "https://replicate.com/p/p1"
  },
  "input": {
    "n": 12345678901234567890
  }
}
`
	if m.Text != want {
		t.Errorf("text body:\n%s\nwant:\n%s", m.Text, want)
	}
}

func TestBuildEscapesHTML(t *testing.T) {
	body := `{"id":"p<i>","model":"o/<b>m</b>","status":"succeeded","created_at":"2025-01-02T03:04:05Z",` +
		`"error":null,"logs":"<img src=x onerror=alert(1)>","output":"<script>alert(1)</script>"}`
	m := build(t, body, BuildOptions{Notes: []string{"<u>note</u>"}})
	for _, hostile := range []string{"<script>", "<img", "<b>m", "<i>", "<u>"} {
		if strings.Contains(m.HTML, hostile) {
			t.Errorf("HTML contains %q unescaped:\n%s", hostile, m.HTML)
		}
	}
	if !strings.Contains(m.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("HTML does not show the output as text:\n%s", m.HTML)
	}
	// The plain-text part shows values as they are.
	if !strings.Contains(m.Text, "<script>alert(1)</script>") {
		t.Errorf("text part lost the output:\n%s", m.Text)
	}
}

func TestBuildOutput(t *testing.T) {
	tests := []struct {
		name     string
		output   string
		text     []string // in the text part
		html     []string // in the HTML part
		notHTML  []string
		maxBytes int
	}{
		{
			name: "URL string is a link", output: `"https://example.com/out.png"`,
			text: []string{"Output:\nhttps://example.com/out.png\n"},
			html: []string{`<a href="https://example.com/out.png">https://example.com/out.png</a>`},
		},
		{
			name: "list of URLs are links", output: `["https://a.test/1.png","https://a.test/2.png"]`,
			html: []string{`<a href="https://a.test/1.png">`, `<a href="https://a.test/2.png">`},
		},
		{
			name: "javascript URL is not a link", output: `"javascript:alert(1)"`,
			notHTML: []string{`href="javascript`},
			html:    []string{"<pre>javascript:alert(1)</pre>"},
		},
		{
			name: "data URI is text", output: `"data:image/png;base64,AAAA"`,
			notHTML: []string{`href="data:`},
		},
		{
			name: "object is pretty-printed with exact numbers", output: `{"result":{"n":12345678901234567890,"ok":true}}`,
			text: []string{"{\n  \"result\": {\n    \"n\": 12345678901234567890,\n    \"ok\": true\n  }\n}"},
		},
		{
			name: "mixed list is JSON", output: `["a",1]`,
			text: []string{"[\n  \"a\",\n  1\n]"},
		},
		{
			name: "long string is truncated with a note", output: `"` + strings.Repeat("x", 100) + `"`,
			maxBytes: 40,
			text:     []string{"Output:\n" + strings.Repeat("x", 40) + "\n[output truncated: first 40 B of 100 B shown]"},
			html:     []string{"Output truncated: first 40 B of 100 B shown."},
		},
		{
			name: "long list keeps whole items", output: `["https://a.test/1","https://a.test/2","https://a.test/3"]`,
			maxBytes: 40,
			text:     []string{"https://a.test/1\nhttps://a.test/2\n[output truncated: 2 of 3 items shown]"},
		},
		{
			name: "long JSON is truncated", output: `{"k":"` + strings.Repeat("y", 100) + `"}`,
			maxBytes: 30,
			text:     []string{"[output truncated: first 30 B of 113 B shown]"},
		},
		{
			name: "no output", output: `null`,
			text: []string{"Output:\n(none)\n"},
			html: []string{"<p>(none)</p>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"id":"p1","model":"o/m","status":"succeeded","created_at":"2025-01-02T03:04:05Z","output":` + tt.output + `}`
			m := build(t, body, BuildOptions{MaxOutputBytes: tt.maxBytes})
			for _, s := range tt.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tt.html {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML lacks %q:\n%s", s, m.HTML)
				}
			}
			for _, s := range tt.notHTML {
				if strings.Contains(m.HTML, s) {
					t.Errorf("HTML has %q:\n%s", s, m.HTML)
				}
			}
		})
	}
}

func TestBuildLogsKeepsTheLastLines(t *testing.T) {
	var logs []string
	for i := 1; i <= 30; i++ {
		logs = append(logs, fmt.Sprintf("line %d", i))
	}
	logsJSON, _ := json.Marshal(strings.Join(logs, "\r\n") + "\r\n")
	body := `{"id":"p1","model":"o/m","status":"failed","created_at":"2025-01-02T03:04:05Z","logs":` + string(logsJSON) + `}`
	m := build(t, body, BuildOptions{})
	if !strings.Contains(m.Text, "Logs (last 20 of 30 lines):\n  line 11\n") || !strings.Contains(m.Text, "  line 30\n") {
		t.Errorf("text logs:\n%s", m.Text)
	}
	if strings.Contains(m.Text, "  line 10\n") || strings.Contains(m.Text, "\r") {
		t.Errorf("text shows line 10 or a carriage return:\n%s", m.Text)
	}
}

func TestBuildTimes(t *testing.T) {
	tests := []struct {
		name                  string
		times                 string
		queue, run, total     string
		created, startedShown string
	}{
		{"all set", `"created_at":"2025-01-02T03:04:05.000Z","started_at":"2025-01-02T03:04:06.5Z","completed_at":"2025-01-02T03:06:06.5Z"`,
			"1.5s", "2m0s", "2m1.5s", "2025-01-02 03:04:05.000 UTC", "2025-01-02 03:04:06.500 UTC"},
		{"canceled before it started", `"created_at":"2025-01-02T03:04:05Z","completed_at":"2025-01-02T03:04:15Z"`,
			"-", "-", "10s", "2025-01-02 03:04:05.000 UTC", "-"},
		{"offset converted to UTC", `"created_at":"2025-01-02T05:04:05+02:00","started_at":"2025-01-02T03:04:05.25Z"`,
			"250ms", "-", "-", "2025-01-02 03:04:05.000 UTC", "2025-01-02 03:04:05.250 UTC"},
		{"unparsable shown as is", `"created_at":"yesterday"`, "-", "-", "-", "yesterday", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := build(t, `{"id":"p1","model":"o/m","status":"canceled",`+tt.times+`}`, BuildOptions{})
			for _, want := range []string{
				"Created:      " + tt.created + "\n", "Started:      " + tt.startedShown + "\n",
				"Queued for:   " + tt.queue + "\n", "Ran for:      " + tt.run + "\n", "Total:        " + tt.total + "\n",
			} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, m.Text)
				}
			}
		})
	}
}

func TestBuildWebLinkAndSubject(t *testing.T) {
	m := build(t, `{"id":"abc","model":"","version":"v","status":"succeeded\r\nBcc: x@evil.test","created_at":""}`, BuildOptions{})
	if !strings.Contains(m.Text, "\nhttps://replicate.com/p/abc\n") {
		t.Errorf("no fallback web link:\n%s", m.Text)
	}
	if strings.ContainsAny(m.Subject, "\r\n") || !strings.HasPrefix(m.Subject, "[notifier] prediction abc succeeded") {
		t.Errorf("subject = %q", m.Subject)
	}
}

func TestBuildErrorObjectAndRawJSON(t *testing.T) {
	p := decodePrediction(t, `{"id":"p1","model":"o/m","status":"failed","created_at":"2025-01-02T03:04:05Z","error":{"detail":"bad"}}`)
	raw := json.RawMessage(`{"id":"p1","status":"failed","extra":"from the webhook"}`)
	m, err := Build(p, raw, BuildOptions{MaxJSONBytes: 30})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Error:\n{\"detail\":\"bad\"}\n") {
		t.Errorf("error object:\n%s", m.Text)
	}
	if !strings.Contains(m.Text, "Prediction JSON:\n{\n  \"id\": \"p1\",\n  \"status\"") ||
		!strings.Contains(m.Text, "[JSON truncated: first 30 B of 69 B shown]") {
		t.Errorf("raw JSON not used or not truncated:\n%s", m.Text)
	}
	// Without raw JSON at all, the prediction is re-encoded.
	m, err = Build(&replicate.Prediction{ID: "p2", Status: "succeeded", Output: "hi"}, nil, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Output:\nhi\n") || !strings.Contains(m.Text, `"id": "p2"`) {
		t.Errorf("re-encoded prediction:\n%s", m.Text)
	}
}

func TestTruncateUTF8(t *testing.T) {
	for _, tt := range []struct {
		s    string
		max  int
		want string
	}{{"héllo", 2, "h"}, {"héllo", 3, "hé"}, {"abc", 5, "abc"}, {"日本", 4, "日"}, {"日本", 0, ""}} {
		if got := truncateUTF8(tt.s, tt.max); got != tt.want {
			t.Errorf("truncateUTF8(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
}

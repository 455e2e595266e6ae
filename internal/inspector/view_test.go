package inspector

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOutputs(t *testing.T) {
	for _, c := range []struct {
		name, raw string
		want      []Output
	}{
		{"none", `null`, nil},
		{"text", `"hello"`, []Output{{Kind: "text", Text: "hello"}}},
		{"tokens", `["The"," sea","."]`, []Output{{Kind: "text", Text: "The sea."}}},
		{"image", `"https://replicate.delivery/x/out-0.PNG"`, []Output{{Kind: "image", URL: "https://replicate.delivery/x/out-0.PNG", Name: "out-0.PNG"}}},
		{"images", `["https://r.d/a.webp","https://r.d/b.jpg"]`, []Output{
			{Kind: "image", URL: "https://r.d/a.webp", Name: "a.webp"}, {Kind: "image", URL: "https://r.d/b.jpg", Name: "b.jpg"}}},
		{"audio", `"https://r.d/speech.wav"`, []Output{{Kind: "audio", URL: "https://r.d/speech.wav", Name: "speech.wav"}}},
		{"video", `"https://r.d/clip.mp4"`, []Output{{Kind: "video", URL: "https://r.d/clip.mp4", Name: "clip.mp4"}}},
		{"file", `"https://r.d/weights.tar"`, []Output{{Kind: "file", URL: "https://r.d/weights.tar", Name: "weights.tar"}}},
		{"data image", `"data:image/png;base64,iVBO"`, []Output{{Kind: "image", URL: "data:image/png;base64,iVBO", Name: "image/png data URL (26 bytes)"}}},
		{"data html is text", `"data:text/html,<script>x</script>"`, []Output{{Kind: "text", Text: "data:text/html,<script>x</script>"}}},
		{"javascript is text", `"javascript:alert(1)"`, []Output{{Kind: "text", Text: "javascript:alert(1)"}}},
		{"number", `3.5`, []Output{{Kind: "text", Text: "3.5"}}},
		{"object with a file", `{"image":"https://r.d/a.png","n":1}`, []Output{
			{Kind: "json", Text: "{\n  \"image\": \"https://r.d/a.png\",\n  \"n\": 1\n}"}, {Kind: "image", URL: "https://r.d/a.png", Name: "a.png"}}},
	} {
		if got := outputs(json.RawMessage(c.raw)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: outputs(%s) = %+v, want %+v", c.name, c.raw, got, c.want)
		}
	}
}

func TestEventOf(t *testing.T) {
	for _, c := range []struct{ body, prev, want string }{
		{`{"id":"p","status":"starting"}`, ``, "start"},
		{`{"id":"p","status":"processing","output":["a"]}`, `{"id":"p","status":"starting"}`, "output"},
		{`{"id":"p","status":"processing","output":["a"],"logs":"l"}`, `{"id":"p","status":"processing","output":["a"]}`, "logs"},
		{`{"id":"p","status":"processing","output":["a"],"logs":"l"}`, `{"id":"p","status":"processing","output":["a"],"logs":"l"}`, "update"},
		{`{"id":"p","status":"processing","logs":"l"}`, ``, "logs"},
		{`{"id":"p","status":"canceled"}`, ``, "completed"},
	} {
		p, _ := parseBody([]byte(c.body))
		var prev *state
		if q, ok := parseBody([]byte(c.prev)); ok {
			prev = &state{output: q.Output, logs: q.Logs}
		}
		if got := eventOf(p, prev); got != c.want {
			t.Errorf("eventOf(%s after %s) = %s, want %s", c.body, c.prev, got, c.want)
		}
	}
}

func TestShownCutsLongText(t *testing.T) {
	if got := shown("short"); got != "short" {
		t.Errorf("shown(short) = %q", got)
	}
	long := strings.Repeat("é", maxShownBytes) // 2 bytes each
	got := shown(long)
	head, note, ok := strings.Cut(got, "\n… cut here: ")
	if !ok || len(head) != maxShownBytes || !utf8.ValidString(head) || note != fmt.Sprintf("%d more bytes; download the record for all of it", maxShownBytes) {
		t.Errorf("shown(2 MiB) = %d bytes, then %q", len(head), note)
	}
}

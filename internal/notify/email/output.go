package email

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/prediction"
)

// outputView is the prediction's output as shown: strings (and lists of
// strings) item by item, URLs as links; any other JSON pretty-printed.
type outputView struct {
	None  bool         // no output (null or absent)
	Items []outputItem // a string output, or a list of strings
	JSON  string       // any other output, indented
	Note  string       // what was left out past the size bound
}

// outputItem is one string of the output; Link marks an http(s) URL, and
// Image one whose path names a PNG, JPEG, GIF or WebP file, which the HTML
// part can show inline.
type outputItem struct {
	Value string
	Link  bool
	Image bool
}

// outputJSON is the output exactly as received when raw has it, so numbers
// keep their digits; otherwise p.Output re-encoded.
func outputJSON(p *replicate.Prediction, raw json.RawMessage) json.RawMessage {
	var w struct {
		Output json.RawMessage `json:"output"`
	}
	if json.Unmarshal(raw, &w) == nil && len(w.Output) > 0 {
		return w.Output
	}
	b, err := json.Marshal(p.Output)
	if err != nil {
		return nil
	}
	return b
}

func newOutputView(raw json.RawMessage, max int) outputView {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if len(bytes.TrimSpace(raw)) == 0 || dec.Decode(&v) != nil {
		return outputView{None: true}
	}
	switch v := v.(type) {
	case nil:
		return outputView{None: true}
	case string:
		return stringsView([]string{v}, max)
	case []any:
		if strs, ok := prediction.Strings(v); ok && len(strs) > 0 {
			return stringsView(strs, max)
		}
	}
	text, note := prettyJSON(raw, max)
	return outputView{JSON: text, Note: note}
}

// stringsView keeps whole items while they fit in max bytes; a single item
// larger than max is cut.
func stringsView(strs []string, max int) outputView {
	var out outputView
	used := 0
	for i, s := range strs {
		if used+len(s) > max {
			if i == 0 {
				out.Items = append(out.Items, outputItem{Value: truncateUTF8(s, max)})
				out.Note = fmt.Sprintf("truncated: first %s of %s shown", showSize(max), showSize(len(s)))
			}
			if len(strs) > 1 {
				out.Note = fmt.Sprintf("truncated: %d of %d items shown", len(out.Items), len(strs))
			}
			return out
		}
		used += len(s)
		link := prediction.IsLink(s)
		out.Items = append(out.Items, outputItem{Value: s, Link: link, Image: link && isImagePath(s)})
	}
	return out
}

// isImagePath reports whether the URL s names an image file by its
// extension: png, jpg, jpeg, gif or webp.
func isImagePath(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp":
		return true
	}
	return false
}

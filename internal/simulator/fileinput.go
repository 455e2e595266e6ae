package simulator

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// handleListFiles answers one page of files, newest first, paged as
// predictions are: 100 a page, a cursor, absolute next and previous URLs
// (docs/simulator.md, "Files, images and streaming").
func (s *Simulator) handleListFiles(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	results, next, prev, prob := paginate(s.files.order, r.URL.Query().Get("cursor"),
		func(f *storedFile) bool { return !f.deleted }, (*storedFile).wire)
	s.mu.Unlock()
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	page := catalogPage[wireFile]{Results: results}
	link := func(cursor int) *string {
		if cursor < 0 {
			return nil
		}
		u := s.baseFor(r) + "/files?cursor=" + strconv.Itoa(cursor)
		return &u
	}
	page.Next, page.Previous = link(next), link(prev)
	writeJSON(w, http.StatusOK, page)
}

// echo is acme/echo's output: its input, where each value that is a file
// URL (of this simulator's files API or delivery URLs) or a data URL,
// alone or in a list, is replaced by {"size", "content_type"}. A file that
// cannot be read fails the prediction, as a model failing to fetch its
// input does (docs/simulator.md, "Files, images and streaming").
func (s *Simulator) echo(p *prediction) (any, string) {
	out := make(map[string]any, len(p.input))
	for k, v := range p.input {
		d, err := s.describe(p.origin, v)
		if err != nil {
			return nil, fmt.Sprintf("failed to fetch input %q: %v", k, err)
		}
		out[k] = d
	}
	return out, ""
}

// describe returns v, or its description if it is a file URL.
func (s *Simulator) describe(origin string, v any) (any, error) {
	switch x := v.(type) {
	case string:
		return s.describeURL(origin, x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			d, err := s.describe(origin, e)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	}
	return v, nil
}

// fileInfo is how acme/echo reports a file input.
func fileInfo(size int, contentType string) map[string]any {
	return map[string]any{"size": size, "content_type": contentType}
}

// describeURL describes a data URL, or a URL of this simulator's files API
// (<base>/files/<id>, or .../download) or of its delivery URLs; any other
// string is returned as it is.
func (s *Simulator) describeURL(origin, v string) (any, error) {
	if strings.HasPrefix(v, "data:") {
		n, ct, err := decodeDataURL(v)
		if err != nil {
			return nil, err
		}
		return fileInfo(n, ct), nil
	}
	rest, ok := strings.CutPrefix(v, origin)
	if !ok || origin == "" {
		return v, nil
	}
	rest, _, _ = strings.Cut(rest, "?")
	notFound := fmt.Errorf("%s: 404 Not Found", v)
	if id, ok := strings.CutPrefix(rest, "/v1"+filesPath); ok {
		f := s.file(strings.TrimSuffix(id, "/download"))
		if f == nil {
			return nil, notFound
		}
		return fileInfo(len(f.data), f.contentType), nil
	}
	if path, ok := strings.CutPrefix(rest, deliveryPath); ok {
		id, name, _ := strings.Cut(path, "/")
		s.mu.Lock()
		var b []byte
		if p := s.preds[id]; p != nil {
			b = p.delivered[name]
		}
		s.mu.Unlock()
		if b == nil {
			return nil, notFound
		}
		return fileInfo(len(b), "image/png"), nil
	}
	return v, nil
}

// decodeDataURL returns the size and media type of an RFC 2397 data URL,
// "data:[<mediatype>][;base64],<data>"; the media type defaults to
// text/plain;charset=US-ASCII.
func decodeDataURL(v string) (int, string, error) {
	meta, data, ok := strings.Cut(strings.TrimPrefix(v, "data:"), ",")
	if !ok {
		return 0, "", errors.New("malformed data URL: no comma")
	}
	meta, b64 := strings.CutSuffix(meta, ";base64")
	if meta == "" {
		meta = "text/plain;charset=US-ASCII"
	}
	if b64 {
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(data); err != nil {
				return 0, "", fmt.Errorf("malformed data URL: %w", err)
			}
		}
		return len(b), meta, nil
	}
	b, err := url.PathUnescape(data)
	if err != nil {
		return 0, "", fmt.Errorf("malformed data URL: %w", err)
	}
	return len(b), meta, nil
}

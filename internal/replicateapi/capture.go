package replicateapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
)

// maxCaptureBytes bounds how much of a create answer is read to find its id.
const maxCaptureBytes = 16 << 20

// Created holds the id of the prediction a create call made, as the API
// answered it, even when replicate-go then failed to decode the answer (a
// number beyond float64 in the echoed input, say): the caller can still
// cancel what it made.
type Created struct {
	mu sync.Mutex
	id string
}

// ID returns the created prediction's id, "" when no create call succeeded.
func (c *Created) ID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.id
}

type createdKey struct{}

// CaptureCreated returns a context whose create calls (a POST answered 2xx
// on a path ending in /predictions) record the id of the prediction made.
func CaptureCreated(ctx context.Context) (context.Context, *Created) {
	c := &Created{}
	return context.WithValue(ctx, createdKey{}, c), c
}

// capture records the id of a create answer when the request's context
// asks for it; it returns the response with its body intact.
func capture(req *http.Request, resp *http.Response) *http.Response {
	c, ok := req.Context().Value(createdKey{}).(*Created)
	if !ok || resp == nil || req.Method != http.MethodPost || resp.StatusCode/100 != 2 ||
		!strings.HasSuffix(req.URL.Path, "/predictions") {
		return resp
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCaptureBytes))
	resp.Body.Close()
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
	var p struct {
		ID string `json:"id"`
	}
	// The id is a string near the top; a number that float64 cannot hold
	// elsewhere does not stop this decode, which skips what it ignores.
	if json.Unmarshal(body, &p) == nil && p.ID != "" {
		c.mu.Lock()
		c.id = p.ID
		c.mu.Unlock()
	}
	return resp
}

// errReader returns err, or io.EOF when err is nil.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	return 0, io.EOF
}

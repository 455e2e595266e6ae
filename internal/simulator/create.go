package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	maxBodyBytes   = 10 << 20
	minCancelAfter = 5 * time.Second // docs/replicate.md, "Requests"
	maxPreferWait  = 60 * time.Second
)

// createRequest is a validated create call.
type createRequest struct {
	target   runTarget
	input    map[string]any
	webhook  string
	filter   []string
	deadline time.Duration // 0 = none
}

// bodyFields are the properties the create schema allows; "stream" is
// deprecated but accepted so older clients keep working (docs/replicate.md, "Requests").
var bodyFields = []string{"input", "webhook", "webhook_events_filter", "stream"}

func (s *Simulator) handleCreate(w http.ResponseWriter, r *http.Request) {
	s.create(w, r, createRoute{kind: routeVersion})
}

// handleCreateNamed serves the models or the deployments route.
func (s *Simulator) handleCreateNamed(kind int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.create(w, r, createRoute{kind: kind, name: r.PathValue("owner") + "/" + r.PathValue("name")})
	}
}

// parseCreate reads and validates a create call. On the models and
// deployments routes an unknown name is a 404 before the body is read.
func parseCreate(r *http.Request, route createRoute) (*createRequest, *problem) {
	req := &createRequest{}
	if route.kind != routeVersion {
		t, p := route.resolvePath()
		if p != nil {
			return nil, p
		}
		req.target = t
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		return nil, &problem{Title: titleBadRequest, Detail: "reading body: " + err.Error(), Status: http.StatusBadRequest}
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil || body == nil {
		return nil, &problem{Title: titleBadRequest, Detail: "the body must be a JSON object", Status: http.StatusBadRequest}
	}
	var bad []invalidField
	for _, k := range sortedKeys(body) {
		if !slices.Contains(bodyFields, k) && (route.kind != routeVersion || k != "version") {
			bad = append(bad, extraField(k))
		}
	}
	bad = append(bad, req.parseFields(body)...)
	if d, f := parseCancelAfter(r.Header.Get("Cancel-After")); f != nil {
		bad = append(bad, *f)
	} else {
		req.deadline = d
	}
	if route.kind == routeVersion && body["version"] == nil {
		bad = append(bad, invalidField{"required", "version", "version is required"})
	}
	if len(bad) > 0 {
		return nil, validationProblem(bad)
	}
	if route.kind == routeVersion {
		var v string
		if json.Unmarshal(body["version"], &v) != nil {
			return nil, invalidVersion("version must be a string")
		}
		t, p := resolveVersion(v)
		if p != nil {
			return nil, p
		}
		req.target = t
	}
	if bad := req.target.model.validate(req.input); len(bad) > 0 {
		return nil, validationProblem(bad)
	}
	return req, nil
}

// parseFields decodes input, webhook and webhook_events_filter.
func (c *createRequest) parseFields(body map[string]json.RawMessage) []invalidField {
	var bad []invalidField
	dec := json.NewDecoder(bytes.NewReader(body["input"]))
	dec.UseNumber() // echo numbers exactly as sent
	if body["input"] == nil {
		bad = append(bad, invalidField{"required", "input", "input is required"})
	} else if err := dec.Decode(&c.input); err != nil || c.input == nil {
		bad = append(bad, invalidField{"type", "input", "Invalid type. Expected: object"})
	}
	if raw := body["webhook"]; raw != nil && string(raw) != "null" {
		if err := json.Unmarshal(raw, &c.webhook); err != nil || !validWebhook(c.webhook) {
			bad = append(bad, invalidField{"format", "webhook", "webhook must be an absolute http or https URL"})
		}
	}
	c.filter = slices.Clone(defaultEvents)
	if raw := body["webhook_events_filter"]; raw != nil && string(raw) != "null" {
		c.filter = nil
		if err := json.Unmarshal(raw, &c.filter); err != nil {
			bad = append(bad, invalidField{"type", "webhook_events_filter", "Invalid type. Expected: array of strings"})
		}
		for i, e := range c.filter {
			if !slices.Contains(allEvents, e) {
				bad = append(bad, invalidField{"enum", fmt.Sprintf("webhook_events_filter.%d", i),
					`webhook_events_filter.` + strconv.Itoa(i) + ` must be one of the following: ` + quoteAll(allEvents)})
			}
		}
	}
	return bad
}

func validWebhook(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// parseCancelAfter reads the Cancel-After header: a Go-style duration
// ("30s", "5m", "1h30m") of at least 5 s. A bare number means seconds.
func parseCancelAfter(h string) (time.Duration, *invalidField) {
	if h == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(h)
	if n, nerr := strconv.ParseFloat(h, 64); err != nil && nerr == nil {
		d, err = time.Duration(n*float64(time.Second)), nil
	}
	if err != nil || d < minCancelAfter {
		return 0, &invalidField{"format", "Cancel-After", "Cancel-After must be a duration of at least 5s, such as 30s, 5m or 1h30m"}
	}
	return d, nil
}

// preferWait reads "Prefer: wait" (60 s) or "Prefer: wait=N". N outside
// 1..60 is clamped and a malformed N means 60, rather than failing the call.
func preferWait(h string) (time.Duration, bool) {
	for _, pref := range strings.FieldsFunc(h, func(r rune) bool { return r == ',' || r == ';' }) {
		name, val, hasVal := strings.Cut(strings.TrimSpace(pref), "=")
		if !strings.EqualFold(strings.TrimSpace(name), "wait") {
			continue
		}
		if !hasVal {
			return maxPreferWait, true
		}
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil {
			return maxPreferWait, true
		}
		return min(max(time.Duration(n)*time.Second, time.Second), maxPreferWait), true
	}
	return 0, false
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var errClosed = errors.New("simulator is closed")

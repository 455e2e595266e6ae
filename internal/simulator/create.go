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
	model    model
	version  string
	input    map[string]any
	webhook  string
	filter   []string
	deadline time.Duration // 0 = none
}

// bodyFields are the properties the create schema allows; "stream" is
// deprecated but accepted so older clients keep working (docs/replicate.md, "Requests").
var bodyFields = []string{"input", "webhook", "webhook_events_filter", "stream"}

func (s *Simulator) handleCreate(w http.ResponseWriter, r *http.Request) {
	s.create(w, r, "")
}

// handleCreateNamed serves the models and deployments routes; a deployment
// runs the model of the same owner/name.
func (s *Simulator) handleCreateNamed(w http.ResponseWriter, r *http.Request) {
	s.create(w, r, r.PathValue("owner")+"/"+r.PathValue("name"))
}

// parseCreate reads and validates a create call. routeModel is the
// owner/name from the path, or "" for POST /v1/predictions.
func parseCreate(r *http.Request, routeModel string) (*createRequest, *problem) {
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
		if !slices.Contains(bodyFields, k) && (routeModel != "" || k != "version") {
			bad = append(bad, extraField(k))
		}
	}
	req := &createRequest{}
	bad = append(bad, req.parseFields(body)...)
	if d, f := parseCancelAfter(r.Header.Get("Cancel-After")); f != nil {
		bad = append(bad, *f)
	} else {
		req.deadline = d
	}
	if routeModel == "" && body["version"] == nil {
		bad = append(bad, invalidField{"required", "version", "version is required"})
	}
	if len(bad) > 0 {
		return nil, validationProblem(bad)
	}
	if p := req.resolve(body["version"], routeModel); p != nil {
		return nil, p
	}
	if bad := req.model.validate(req.input); len(bad) > 0 {
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
	c.filter = slices.Clone(allEvents)
	if raw := body["webhook_events_filter"]; raw != nil && string(raw) != "null" {
		c.filter = nil
		if err := json.Unmarshal(raw, &c.filter); err != nil {
			bad = append(bad, invalidField{"type", "webhook_events_filter", "Invalid type. Expected: array of strings"})
		}
		for i, e := range c.filter {
			if !slices.Contains(allEvents, e) {
				bad = append(bad, invalidField{"enum", fmt.Sprintf("webhook_events_filter.%d", i),
					`webhook_events_filter.` + strconv.Itoa(i) + ` must be one of the following: "start", "output", "logs", "completed"`})
			}
		}
	}
	return bad
}

// resolve sets the model and version from the body's version or the route.
func (c *createRequest) resolve(rawVersion json.RawMessage, routeModel string) *problem {
	var ok bool
	if routeModel != "" {
		c.model, c.version, ok = resolveModel(routeModel, "")
	} else {
		var v string
		if json.Unmarshal(rawVersion, &v) == nil {
			c.model, c.version, ok = resolveVersion(v)
		}
	}
	if !ok {
		return &problem{Title: titleInvalidVersion, Status: http.StatusUnprocessableEntity,
			Detail: "The specified version does not exist (or perhaps you don't have permission to use it?)"}
	}
	return nil
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

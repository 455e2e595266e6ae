package simulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

var chaos = map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 0, "outcome": "success"}}

func TestUnauthenticated(t *testing.T) {
	_, base := startSim(t, Config{})
	for _, auth := range []string{"", "Bearer wrong", "Basic " + testToken, testToken} {
		req, _ := http.NewRequest("GET", base+"/predictions", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		want := map[string]any{"title": "Unauthenticated", "detail": "You did not pass a valid authentication token", "status": 401.0}
		if resp.StatusCode != 401 || !equalJSON(got, want) {
			t.Errorf("auth %q: %d %v", auth, resp.StatusCode, got)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("content-type %q", ct)
		}
	}
}

func TestCreateErrors(t *testing.T) {
	_, base := startSim(t, Config{})
	in := map[string]any{"input": map[string]any{}}
	tests := []struct {
		name, path string
		body       any
		code       int
		title      string
		field      string
	}{
		{"malformed", "/predictions", "{", 400, titleBadRequest, ""},
		{"unknown hex version", "/predictions", map[string]any{"version": strings.Repeat("a", 64), "input": map[string]any{}}, 422, titleInvalidVersion, ""},
		{"wrong chaos version", "/predictions", map[string]any{"version": ChaosMonkeyModel + ":" + strings.Repeat("b", 64), "input": map[string]any{}}, 422, titleInvalidVersion, ""},
		{"community model without version", "/predictions", map[string]any{"version": ChaosMonkeyModel, "input": map[string]any{}}, 422, titleInvalidVersion, ""},
		{"unknown model with version", "/predictions", map[string]any{"version": "acme/other:" + strings.Repeat("c", 64), "input": map[string]any{}}, 422, titleInvalidVersion, ""},
		{"community model on model route", "/models/zeke/chaos-monkey/predictions", map[string]any{"input": map[string]any{}}, 404, "", ""},
		{"unknown model on model route", "/models/acme/other/predictions", map[string]any{"input": map[string]any{}}, 404, "", ""},
		{"unknown deployment", "/deployments/acme/echo/predictions", map[string]any{"input": map[string]any{}}, 404, "", ""},
		{"echo sleep string", "/models/acme/echo/predictions", map[string]any{"input": map[string]any{"sleep": "1"}}, 422, titleInvalidInput, "input.sleep"},
		{"garbage version", "/predictions", map[string]any{"version": "not a version", "input": map[string]any{}}, 422, titleInvalidVersion, ""},
		{"missing version", "/predictions", in, 422, titleInvalidInput, "version"},
		{"extra field", "/predictions", map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{}, "colour": "red"}, 422, titleInvalidInput, "colour"},
		{"version on model route", "/models/acme/echo/predictions", map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{}}, 422, titleInvalidInput, "version"},
		{"missing input", "/models/acme/echo/predictions", map[string]any{}, 422, titleInvalidInput, "input"},
		{"sleep string", "/predictions", map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": "1"}}, 422, titleInvalidInput, "input.sleep"},
		{"sleep too long", "/predictions", map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 301}}, 422, titleInvalidInput, "input.sleep"},
		{"sleep negative", "/predictions", map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": -1}}, 422, titleInvalidInput, "input.sleep"},
		{"bad outcome", "/predictions", map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"outcome": "explode"}}, 422, titleInvalidInput, "input.outcome"},
		{"relative webhook", "/models/acme/echo/predictions", map[string]any{"input": map[string]any{}, "webhook": "/hook"}, 422, titleInvalidInput, "webhook"},
		{"ftp webhook", "/models/acme/echo/predictions", map[string]any{"input": map[string]any{}, "webhook": "ftp://x/y"}, 422, titleInvalidInput, "webhook"},
		{"bad filter", "/models/acme/echo/predictions", map[string]any{"input": map[string]any{}, "webhook": "http://x/y", "webhook_events_filter": []string{"done"}}, 422, titleInvalidInput, "webhook_events_filter.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, out := call(t, "POST", base+tt.path, tt.body, nil)
			got := object(t, out)
			title, _ := got["title"].(string) // Replicate's 404 has none
			if code != tt.code || title != tt.title || got["status"] != float64(tt.code) {
				t.Fatalf("got %d %s", code, out)
			}
			if h.Get("Content-Type") != "application/problem+json" {
				t.Errorf("content-type %q", h.Get("Content-Type"))
			}
			if tt.field != "" && !hasField(got, tt.field) {
				t.Errorf("invalid_fields lacks %q: %s", tt.field, out)
			}
		})
	}
}

func TestExtraFieldShape(t *testing.T) {
	_, base := startSim(t, Config{})
	_, _, out := call(t, "POST", base+"/models/acme/echo/predictions", map[string]any{"input": map[string]any{}, "colour": 1}, nil)
	fields := object(t, out)["invalid_fields"].([]any)
	want := map[string]any{"type": "additional_property_not_allowed", "field": "colour", "description": "Additional property colour is not allowed"}
	if len(fields) != 1 || !equalJSON(fields[0], want) {
		t.Errorf("invalid_fields = %v", fields)
	}
}

func TestCancelAfter(t *testing.T) {
	_, base := startSim(t, Config{})
	code, _, _ := call(t, "POST", base+"/predictions", chaos, map[string]string{"Cancel-After": "1s"})
	if code != 422 {
		t.Errorf("Cancel-After 1s: status %d, want 422", code)
	}
	p := create(t, base, chaos, map[string]string{"Cancel-After": "1h30m"})
	created, _ := time.Parse(time.RFC3339Nano, p["created_at"].(string))
	deadline, err := time.Parse(time.RFC3339Nano, p["deadline"].(string))
	if err != nil || deadline.Sub(created) != 90*time.Minute {
		t.Errorf("deadline %v, created %v", p["deadline"], p["created_at"])
	}
}

func TestCreateAndGet(t *testing.T) {
	s, base := startSim(t, Config{})
	code, h, out := call(t, "POST", base+"/predictions", chaos, nil)
	if code != 201 {
		t.Fatalf("status %d: %s", code, out)
	}
	p := object(t, out)
	id := p["id"].(string)
	if !regexp.MustCompile(`^[a-z0-9]{26}$`).MatchString(id) {
		t.Errorf("id %q", id)
	}
	if loc := h.Get("Location"); loc != base+"/predictions/"+id {
		t.Errorf("Location %q", loc)
	}
	urls := p["urls"].(map[string]any)
	if urls["get"] != base+"/predictions/"+id || urls["cancel"] != base+"/predictions/"+id+"/cancel" || urls["web"] != strings.TrimSuffix(base, "/v1")+"/p/"+id {
		t.Errorf("urls %v", urls)
	}
	for _, k := range []string{"model", "version", "input", "output", "logs", "error", "status", "created_at", "started_at", "completed_at", "data_removed", "source", "webhook", "webhook_events_filter"} {
		if _, ok := p[k]; !ok {
			t.Errorf("field %s missing", k)
		}
	}
	final := waitTerminal(t, s, id)
	code, _, out = call(t, "GET", base+"/predictions/"+id, nil, nil)
	if code != 200 || !equalJSON(object(t, out), final) {
		t.Errorf("GET: %d %s", code, out)
	}
	if final["status"] != "succeeded" || final["model"] != ChaosMonkeyModel || final["source"] != "api" {
		t.Errorf("final %v", final)
	}
	if _, ok := final["output"].(map[string]any)["result"].(map[string]any); !ok {
		t.Errorf("output %v", final["output"])
	}
	m := final["metrics"].(map[string]any)
	if _, ok := m["predict_time"].(float64); !ok {
		t.Errorf("metrics %v", m)
	}
	code, _, out = call(t, "GET", base+"/predictions/nope", nil, nil)
	want404 := map[string]any{"detail": "The requested resource could not be found.", "status": 404.0}
	if got := object(t, out); code != 404 || !equalJSON(got, want404) {
		t.Errorf("unknown: %d %s", code, out)
	}
}

func TestOutcomes(t *testing.T) {
	s, base := startSim(t, Config{Seed: 7})
	tests := []struct{ outcome, status string }{
		{"success", "succeeded"}, {"error", "failed"}, {"bad_return_type", "failed"}, {"random_data", "succeeded"},
	}
	for _, tt := range tests {
		p := create(t, base, map[string]any{"version": ChaosMonkeyModel + ":" + ChaosMonkeyVersion,
			"input": map[string]any{"sleep": 0.001, "outcome": tt.outcome}}, nil)
		final := waitTerminal(t, s, p["id"].(string))
		if final["status"] != tt.status {
			t.Errorf("%s: status %v", tt.outcome, final["status"])
		}
		if (tt.status == "failed") != (final["error"] != nil) {
			t.Errorf("%s: error %v", tt.outcome, final["error"])
		}
		if tt.status == "succeeded" && final["output"] == nil {
			t.Errorf("%s: no output", tt.outcome)
		}
	}
}

func TestEchoModel(t *testing.T) {
	s, base := startSim(t, Config{})
	in := map[string]any{"prompt": "hi", "n": 3, "nested": map[string]any{"a": []any{1.5, true}}}
	code, _, out := call(t, "POST", base+"/models/acme/echo/predictions", map[string]any{"input": in}, map[string]string{"Prefer": "wait"})
	p := object(t, out)
	if code != 201 || p["status"] != "succeeded" || !equalJSON(p["output"], p["input"]) || p["model"] != EchoModel || p["version"] != "hidden" {
		t.Errorf("models route: %d %s", code, out)
	}
	for _, v := range []string{EchoModel, EchoModel + ":" + EchoVersion, EchoVersion} {
		p := create(t, base, map[string]any{"version": v, "input": in}, nil)
		if want := map[bool]string{true: "hidden", false: EchoVersion}[v == EchoModel]; p["version"] != want || p["model"] != EchoModel {
			t.Errorf("version %q: model %v version %v, want %s %s", v, p["model"], p["version"], EchoModel, want)
		}
		waitTerminal(t, s, p["id"].(string))
	}
}

func TestPreferWait(t *testing.T) {
	_, base := startSim(t, Config{})
	body := map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 0.05}}
	p := create(t, base, body, map[string]string{"Prefer": "wait=5"})
	if p["status"] != "succeeded" {
		t.Errorf("Prefer wait=5: status %v", p["status"])
	}
	slow := map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 30}}
	p = create(t, base, slow, map[string]string{"Prefer": "wait=1"})
	if p["status"] != "starting" || p["started_at"] != nil {
		t.Errorf("Prefer wait=1 on a 30s run: status %v, started_at %v; want starting, null", p["status"], p["started_at"])
	}
	call(t, "POST", base+"/predictions/"+p["id"].(string)+"/cancel", nil, nil)
}

func TestCancel(t *testing.T) {
	s, base := startSim(t, Config{})
	p := create(t, base, map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 60}}, nil)
	id := p["id"].(string)
	code, _, out := call(t, "POST", base+"/predictions/"+id+"/cancel", nil, nil)
	c := object(t, out)
	if code != 200 || c["status"] != "canceled" || c["completed_at"] == nil || c["metrics"] == nil {
		t.Fatalf("cancel running: %d %s", code, out)
	}
	_, _, again := call(t, "POST", base+"/predictions/"+id+"/cancel", nil, nil)
	if !equalJSON(object(t, again), c) {
		t.Errorf("cancel of terminal changed it: %s", again)
	}
	if n := s.CancelCount(id); n != 2 {
		t.Errorf("CancelCount = %d", n)
	}
	done := create(t, base, chaos, map[string]string{"Prefer": "wait"})
	_, _, out = call(t, "POST", base+"/predictions/"+done["id"].(string)+"/cancel", nil, nil)
	if object(t, out)["status"] != "succeeded" {
		t.Errorf("cancel of succeeded: %s", out)
	}
	if code, _, _ := call(t, "POST", base+"/predictions/nope/cancel", nil, nil); code != 404 {
		t.Errorf("cancel unknown: %d", code)
	}
}

func TestListPaging(t *testing.T) {
	_, base := startSim(t, Config{})
	var ids []string
	for range 2*pageSize + 5 {
		code, _, out := call(t, "POST", base+"/models/acme/echo/predictions", map[string]any{"input": map[string]any{}}, nil)
		if code != 201 {
			t.Fatalf("create: %d", code)
		}
		ids = append(ids, object(t, out)["id"].(string))
	}
	var got []string
	url := base + "/predictions"
	for pages := 0; url != ""; pages++ {
		if pages > 3 {
			t.Fatal("too many pages")
		}
		code, _, out := call(t, "GET", url, nil, nil)
		page := object(t, out)
		if code != 200 || (pages == 0) != (page["previous"] == nil) {
			t.Fatalf("list page %d: %d %s", pages, code, out)
		}
		for _, r := range page["results"].([]any) {
			got = append(got, r.(map[string]any)["id"].(string))
		}
		url = ""
		if next, ok := page["next"].(string); ok {
			if !strings.HasPrefix(next, base+"/predictions?") {
				t.Fatalf("next %q is not absolute", next)
			}
			url = next
		}
	}
	if len(got) != len(ids) {
		t.Fatalf("listed %d, created %d", len(got), len(ids))
	}
	for i, id := range got {
		if id != ids[len(ids)-1-i] {
			t.Fatalf("result %d = %s, want newest first", i, id)
		}
	}
	if code, _, _ := call(t, "GET", base+"/predictions?cursor=zz", nil, nil); code != 400 {
		t.Errorf("bad cursor: %d", code)
	}
}

func TestSecretRoute(t *testing.T) {
	_, base := startSim(t, Config{})
	code, _, out := call(t, "GET", base+"/webhooks/default/secret", nil, nil)
	if code != 200 || object(t, out)["key"] != testSecret {
		t.Errorf("%d %s", code, out)
	}
}

func TestSeedDeterminism(t *testing.T) {
	run := func() []string {
		s, err := New(Config{Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		base, err := s.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		out := []string{s.Token(), s.Secret()}
		for range 3 {
			req, _ := http.NewRequest("POST", base+"/predictions", strings.NewReader(
				`{"version":"`+ChaosMonkeyVersion+`","input":{"outcome":"random_data"}}`))
			req.Header.Set("Authorization", "Bearer "+s.Token())
			req.Header.Set("Prefer", "wait")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var p map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&p)
			resp.Body.Close()
			o, _ := json.Marshal(p["output"])
			out = append(out, p["id"].(string), string(o))
		}
		return out
	}
	a, b := run(), run()
	if strings.Join(a, "|") != strings.Join(b, "|") {
		t.Errorf("seeded runs differ:\n%v\n%v", a, b)
	}
}

func TestCloseStopsRunning(t *testing.T) {
	s, err := New(Config{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rcv := newReceiver(t, nil)
	create(t, base, map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 300}, "webhook": rcv.URL}, nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func hasField(problem map[string]any, field string) bool {
	fields, _ := problem["invalid_fields"].([]any)
	for _, f := range fields {
		if f.(map[string]any)["field"] == field {
			return true
		}
	}
	return false
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestHandlerOnAnyServer(t *testing.T) {
	s, err := New(Config{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	defer s.Close()
	p := create(t, srv.URL+"/v1", chaos, nil)
	if got := p["urls"].(map[string]any)["get"]; got != srv.URL+"/v1/predictions/"+p["id"].(string) {
		t.Errorf("urls.get %v", got)
	}
	if code, _, _ := call(t, "GET", srv.URL+"/v1/nothing", nil, nil); code != 404 {
		t.Errorf("unknown route: %d", code)
	}
}

// TestCreateAnswersStarting checks that the create answer is the prediction
// as created, as Replicate's is, however fast the prediction then runs.
func TestCreateAnswersStarting(t *testing.T) {
	t.Parallel()
	_, base := startSim(t, Config{})
	for range 20 {
		p := create(t, base, chaos, nil)
		if p["status"] != "starting" || p["started_at"] != nil {
			t.Fatalf("create answered status %v, started_at %v; want starting, null", p["status"], p["started_at"])
		}
	}
}

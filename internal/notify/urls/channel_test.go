package urls

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// request is what a test service received.
type request struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// service is a local HTTP server that records requests and answers each
// with the next of its answers (the last one repeats).
type service struct {
	*httptest.Server
	mu      sync.Mutex
	got     []request
	answers []answer
}

type answer struct {
	status int
	body   string
}

func newService(t *testing.T, tls bool, answers ...answer) *service {
	t.Helper()
	if len(answers) == 0 {
		answers = []answer{{200, ""}}
	}
	s := &service{answers: answers}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.got = append(s.got, request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		a := s.answers[min(len(s.got), len(s.answers))-1]
		s.mu.Unlock()
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.body)
	})
	if tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

func (s *service) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.got...)
}

func (s *service) only(t *testing.T) request {
	t.Helper()
	got := s.requests()
	if len(got) != 1 {
		t.Fatalf("the service got %d requests, want 1", len(got))
	}
	return got[0]
}

// redirect sends every request to the test server, keeping its path: for
// the services whose host is fixed (discord.com, hooks.slack.com).
type redirect struct {
	to   *url.URL
	base http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.to.Scheme, r.to.Host
	return r.base.RoundTrip(req)
}

func redirectTo(s *service) http.RoundTripper {
	u, _ := url.Parse(s.URL)
	return redirect{to: u, base: s.Client().Transport}
}

// swapDefaultTransport points http.DefaultTransport at s for the services
// that give no other way (Slack webhooks, Teams connectors). Such tests
// must not run in parallel.
func swapDefaultTransport(t *testing.T, s *service) {
	old := http.DefaultTransport
	http.DefaultTransport = redirectTo(s)
	t.Cleanup(func() { http.DefaultTransport = old })
}

func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return m
}

func failed() notify.Notification {
	logs := "loading\nstep 1\nCUDA out of memory\n"
	created, started, completed := "2026-11-26T10:00:00Z", "2026-11-26T10:00:01Z", "2026-11-26T10:00:05Z"
	p := &replicate.Prediction{ID: "p_fail_1", Model: "acme/model", Status: replicate.Failed, Error: "boom: out of memory",
		Logs: &logs, CreatedAt: created, StartedAt: &started, CompletedAt: &completed,
		URLs: map[string]string{"web": "https://replicate.com/p/p_fail_1"}}
	raw, _ := json.Marshal(p)
	return notify.Notification{Kind: notify.KindResult, Prediction: p, Raw: raw}
}

func succeeded() notify.Notification {
	p := &replicate.Prediction{ID: "p_ok_1", Model: "acme/model", Status: replicate.Succeeded,
		Output: []any{"https://replicate.delivery/a/out-0.png", "https://replicate.delivery/a/out-1.png"}}
	raw, _ := json.Marshal(p)
	return notify.Notification{Kind: notify.KindResult, Prediction: p, Raw: raw}
}

func alert(recovered bool) notify.Notification {
	return notify.Notification{Kind: notify.KindAlert, Alert: &notify.Alert{Recovered: recovered, Failures: 3, Total: 4,
		Threshold: 0.5, Window: 10 * time.Minute, At: time.Unix(1_800_000_000, 0), Model: "acme/model"}}
}

func mustNew(t *testing.T, raw string, opts Options) *Channel {
	t.Helper()
	c, err := New(raw, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

const slackURL = "slack://hook:T00000000-B00000000-XXXXXXXXXXXXXXXXXXXXXXXX@webhook"

// Slack incoming webhooks: POST https://hooks.slack.com/services/T/B/X with
// {"text": ..., "attachments": [{"text", "color"}]}, answered "ok".
func TestSlack(t *testing.T) {
	s := newService(t, true, answer{200, "ok"})
	swapDefaultTransport(t, s)
	c := mustNew(t, slackURL, Options{})
	if err := c.Send(context.Background(), failed()); err != nil {
		t.Fatal(err)
	}
	r := s.only(t)
	if r.Method != http.MethodPost || r.Path != "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX" {
		t.Errorf("%s %s", r.Method, r.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	m := decode(t, r.Body)
	if m["text"] != "*acme/model p_fail_1 failed*" {
		t.Errorf("text %q", m["text"])
	}
	atts, _ := m["attachments"].([]any)
	var all []string
	for _, a := range atts {
		a := a.(map[string]any)
		if a["color"] != "danger" {
			t.Errorf("attachment colour %v, want danger", a["color"])
		}
		all = append(all, a["text"].(string))
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{"*Status*: failed", "<https://replicate.com/p/p_fail_1|p_fail_1>", "*Error*: boom: out of memory",
		"`CUDA out of memory`", "*Duration*: 5s (queued 1s, ran 4s)"} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q:\n%s", want, text)
		}
	}
}

func TestSlackFailureIsTemporaryAndRedacted(t *testing.T) {
	s := newService(t, true, answer{503, ""})
	swapDefaultTransport(t, s)
	c := mustNew(t, slackURL, Options{})
	err := c.Send(context.Background(), failed())
	var e *Error
	if !errors.As(err, &e) || !e.Temporary() || e.Status != 503 {
		t.Fatalf("err %#v, want a temporary *Error with status 503", err)
	}
	if strings.Contains(err.Error(), "XXXXXXXXXXXX") || strings.Contains(c.Name(), "XXXXXXXXXXXX") {
		t.Errorf("token shown: %q, %q", err, c.Name())
	}
}

// Discord webhooks: POST https://discord.com/api/webhooks/ID/TOKEN with
// {"embeds": [{"title", "description", "color"}]}, answered 204.
func TestDiscord(t *testing.T) {
	s := newService(t, true, answer{204, ""})
	c := mustNew(t, "discord://SecretToken123456@123456789012345678", Options{Transport: redirectTo(s)})
	if err := c.Send(context.Background(), failed()); err != nil {
		t.Fatal(err)
	}
	r := s.only(t)
	if r.Method != http.MethodPost || r.Path != "/api/webhooks/123456789012345678/SecretToken123456" {
		t.Errorf("%s %s", r.Method, r.Path)
	}
	m := decode(t, r.Body)
	embeds, _ := m["embeds"].([]any)
	if len(embeds) != 1 {
		t.Fatalf("embeds %v", m)
	}
	e := embeds[0].(map[string]any)
	if e["title"] != "acme/model p_fail_1 failed" || e["color"] != float64(0xd60510) {
		t.Errorf("embed %v", e)
	}
	if d, _ := e["description"].(string); !strings.Contains(d, "**Error**: boom: out of memory") ||
		!strings.Contains(d, "[p_fail_1](https://replicate.com/p/p_fail_1)") {
		t.Errorf("description %q", d)
	}
}

func TestDiscordOutputLinks(t *testing.T) {
	s := newService(t, true, answer{204, ""})
	c := mustNew(t, "discord://SecretToken123456@123456789012345678", Options{Transport: redirectTo(s)})
	if err := c.Send(context.Background(), succeeded()); err != nil {
		t.Fatal(err)
	}
	e := decode(t, s.only(t).Body)["embeds"].([]any)[0].(map[string]any)
	if d, _ := e["description"].(string); !strings.Contains(d, "[out-1.png](https://replicate.delivery/a/out-1.png)") {
		t.Errorf("description %q", d)
	}
	if e["color"] != float64(0x2488ff) {
		t.Errorf("colour %v", e["color"])
	}
}

// ntfy: POST <server>/<topic>, the message as the body, title, priority,
// tags and click as headers (https://docs.ntfy.sh/publish/).
func TestNtfy(t *testing.T) {
	s := newService(t, false, answer{200, `{"id":"x1"}`})
	host := strings.TrimPrefix(s.URL, "http://")
	c := mustNew(t, "ntfy://ops:s3cretpass@"+host+"/notifier-topic-4b1e?disabletls=yes", Options{})
	if err := c.Send(context.Background(), failed()); err != nil {
		t.Fatal(err)
	}
	r := s.only(t)
	if r.Method != http.MethodPost || r.Path != "/notifier-topic-4b1e" {
		t.Errorf("%s %s", r.Method, r.Path)
	}
	want := map[string]string{"Title": "acme/model p_fail_1 failed", "Priority": "high", "Tags": "x",
		"Click": "https://replicate.com/p/p_fail_1"}
	for k, v := range want {
		if got := r.Header.Get(k); !strings.EqualFold(got, v) { // ntfy takes priority names in any case
			t.Errorf("header %s: %q, want %q", k, got, v)
		}
	}
	if user, pass, ok := (&http.Request{Header: r.Header}).BasicAuth(); !ok || user != "ops" || pass != "s3cretpass" {
		t.Errorf("basic auth %q %q", user, pass)
	}
	if !strings.Contains(string(r.Body), "Error: boom: out of memory") {
		t.Errorf("body %q", r.Body)
	}
	// The next message has its own title: nothing carries over.
	if err := c.Send(context.Background(), alert(false)); err != nil {
		t.Fatal(err)
	}
	r = s.requests()[1]
	if got := r.Header.Values("Title"); len(got) != 1 || !strings.HasPrefix(got[0], "alert: 3 of 4") {
		t.Errorf("titles %q", got)
	}
	if p := r.Header.Get("Priority"); !strings.EqualFold(p, "max") {
		t.Errorf("alert priority %q", p)
	}
}

func TestNtfyURLSettingsWin(t *testing.T) {
	s := newService(t, false, answer{200, `{"id":"x1"}`})
	host := strings.TrimPrefix(s.URL, "http://")
	c := mustNew(t, "ntfy://"+host+"/topic1234?disabletls=yes&priority=low&tags=robot", Options{})
	if err := c.Send(context.Background(), failed()); err != nil {
		t.Fatal(err)
	}
	r := s.only(t)
	if p := r.Header.Get("Priority"); !strings.EqualFold(p, "low") {
		t.Errorf("priority %q, want the URL's", p)
	}
	if r.Header.Get("Tags") != "robot" {
		t.Errorf("tags %q, want the URL's", r.Header.Get("Tags"))
	}
}

func TestNtfyErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		temp   bool
	}{{429, true}, {500, true}, {403, false}} {
		s := newService(t, false, answer{tc.status, `{"code":40301,"error":"forbidden"}`})
		host := strings.TrimPrefix(s.URL, "http://")
		c := mustNew(t, "ntfy://"+host+"/topic-secret-77?disabletls=yes", Options{})
		err := c.Send(context.Background(), failed())
		var e *Error
		if !errors.As(err, &e) || e.Temporary() != tc.temp || e.Status != tc.status {
			t.Errorf("%d: err %#v", tc.status, err)
		}
		if strings.Contains(err.Error(), "topic-secret-77") {
			t.Errorf("topic shown: %v", err)
		}
	}
}

func TestNtfyDownIsTemporary(t *testing.T) {
	s := newService(t, false)
	host := strings.TrimPrefix(s.URL, "http://")
	s.Close()
	c := mustNew(t, "ntfy://"+host+"/topic-secret-77?disabletls=yes", Options{})
	err := c.Send(context.Background(), failed())
	var e *Error
	if !errors.As(err, &e) || !e.Temporary() {
		t.Fatalf("err %#v, want temporary", err)
	}
}

const pdKey = "0123456789abcdef0123456789abcdef"

// PagerDuty Events API v2: POST /v2/enqueue with routing_key,
// event_action, dedup_key and payload {summary, severity, source}.
func TestPagerDutyAlertTriggersAndRecoveryResolves(t *testing.T) {
	s := newService(t, true, answer{202, `{"status":"success","dedup_key":"k"}`})
	host := strings.TrimPrefix(s.URL, "https://")
	c := mustNew(t, "pagerduty://"+host+"/"+pdKey, Options{Transport: s.Client().Transport})
	for _, n := range []notify.Notification{alert(false), alert(true)} {
		if err := c.Send(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	got := s.requests()
	if len(got) != 2 {
		t.Fatalf("%d requests", len(got))
	}
	for i, want := range []string{"trigger", "resolve"} {
		r := got[i]
		if r.Method != http.MethodPost || r.Path != "/v2/enqueue" {
			t.Errorf("%s %s", r.Method, r.Path)
		}
		m := decode(t, r.Body)
		if m["routing_key"] != pdKey || m["event_action"] != want || m["dedup_key"] != "notifier:failure-rate:acme/model" {
			t.Errorf("event %d: %v", i, m)
		}
		p, _ := m["payload"].(map[string]any)
		if p["severity"] != "critical" || p["source"] == "" || !strings.Contains(p["summary"].(string), "3 of 4 acme/model predictions failed") {
			t.Errorf("payload %d: %v", i, p)
		}
	}
}

func TestPagerDutyFailedPrediction(t *testing.T) {
	s := newService(t, true, answer{202, `{"status":"success"}`})
	host := strings.TrimPrefix(s.URL, "https://")
	c := mustNew(t, "pagerduty://"+host+"/"+pdKey, Options{Transport: s.Client().Transport})
	if got := c.DefaultOn(); len(got) != 2 || got[0] != replicate.Failed {
		t.Errorf("DefaultOn %v: PagerDuty should page for failures only", got)
	}
	if err := c.Send(context.Background(), failed()); err != nil {
		t.Fatal(err)
	}
	m := decode(t, s.only(t).Body)
	p := m["payload"].(map[string]any)
	if m["event_action"] != "trigger" || m["dedup_key"] != "notifier:prediction:p_fail_1" || p["severity"] != "error" ||
		p["summary"] != "acme/model p_fail_1 failed" || m["client_url"] != "https://replicate.com/p/p_fail_1" {
		t.Errorf("event %v", m)
	}
	if d, _ := m["details"].(map[string]any); d["error"] != "boom: out of memory" {
		t.Errorf("details %v", m["details"])
	}
}

func TestPagerDutyRejectsBadKey(t *testing.T) {
	_, err := New("pagerduty:///not-a-key-secret", Options{})
	if err == nil || strings.Contains(err.Error(), "not-a-key-secret") {
		t.Errorf("err %v", err)
	}
}

const (
	teamsURL = "teams://11111111-2222-3333-4444-555555555555@66666666-7777-8888-9999-000000000000/" +
		"0123456789abcdef0123456789abcdef/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/V2ExtraSecret?host=acme.webhook.office.com"
	workflowURL = "teams+https://prod-00.westus.logic.azure.com:443/workflows/abcdef0123456789/triggers/manual/paths/invoke" +
		"?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=WorkflowSig_0123456789"
)

// Teams workflows (Power Automate): POST the workflow URL, query and all,
// with {"type":"message","attachments":[{"contentType":
// "application/vnd.microsoft.card.adaptive","content":{AdaptiveCard}}]}.
func TestTeamsWorkflow(t *testing.T) {
	s := newService(t, true, answer{202, ""})
	c := mustNew(t, workflowURL, Options{Transport: redirectTo(s)})
	if err := c.Send(context.Background(), failed()); err != nil {
		t.Fatal(err)
	}
	r := s.only(t)
	if r.Method != http.MethodPost || r.Path != "/workflows/abcdef0123456789/triggers/manual/paths/invoke" ||
		!strings.Contains(r.Query, "sig=WorkflowSig_0123456789") {
		t.Errorf("%s %s?%s", r.Method, r.Path, r.Query)
	}
	m := decode(t, r.Body)
	att := m["attachments"].([]any)[0].(map[string]any)
	card := att["content"].(map[string]any)
	if m["type"] != "message" || att["contentType"] != "application/vnd.microsoft.card.adaptive" || card["type"] != "AdaptiveCard" {
		t.Fatalf("body %s", r.Body)
	}
	title := card["body"].([]any)[0].(map[string]any)
	if title["text"] != "acme/model p_fail_1 failed" || title["color"] != "Attention" {
		t.Errorf("title block %v", title)
	}
	act := card["actions"].([]any)[0].(map[string]any)
	if act["type"] != "Action.OpenUrl" || act["url"] != "https://replicate.com/p/p_fail_1" {
		t.Errorf("action %v", act)
	}
	if strings.Contains(c.Name(), "WorkflowSig") || strings.Contains(c.Name(), "abcdef0123456789") {
		t.Errorf("name %q shows a secret", c.Name())
	}
}

// Teams Office 365 connectors (retired by Microsoft, still in shoutrrr):
// POST https://<host>/webhookb2/... with a MessageCard.
func TestTeamsConnector(t *testing.T) {
	s := newService(t, true, answer{200, "1"})
	swapDefaultTransport(t, s)
	c := mustNew(t, teamsURL, Options{})
	if err := c.Send(context.Background(), failed()); err != nil {
		t.Fatal(err)
	}
	r := s.only(t)
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Path, "/webhookb2/11111111-2222-3333-4444-555555555555@") ||
		!strings.HasSuffix(r.Path, "/V2ExtraSecret") {
		t.Errorf("%s %s", r.Method, r.Path)
	}
	m := decode(t, r.Body)
	if m["@type"] != "MessageCard" || m["title"] != "acme/model p_fail_1 failed" || m["themeColor"] != "D60510" {
		t.Errorf("card %v", m)
	}
}

// generic: POST the URL with the notification as JSON and Standard
// Webhooks headers that internal/webhook verifies.
func TestGenericSigned(t *testing.T) {
	secret, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	s := newService(t, false, answer{204, ""})
	raw := "generic+" + s.URL + "/hooks/notify?token=QueryToken99"
	c := mustNew(t, raw, Options{Secret: secret})
	for _, n := range []notify.Notification{failed(), alert(false), {Kind: notify.KindSummary, Title: "smoke acme/model: failed",
		Lines: []string{"2 of 3 failed"}, Failed: true}} {
		if err := c.Send(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	got := s.requests()
	if len(got) != 3 {
		t.Fatalf("%d requests", len(got))
	}
	for i, want := range []string{"prediction", "alert", "summary"} {
		r := got[i]
		if r.Method != http.MethodPost || r.Path != "/hooks/notify" || r.Query != "token=QueryToken99" {
			t.Errorf("%s %s?%s", r.Method, r.Path, r.Query)
		}
		if err := secret.Verify(r.Header, r.Body, time.Now()); err != nil {
			t.Errorf("%s: signature: %v", want, err)
		}
		if m := decode(t, r.Body); m["type"] != want {
			t.Errorf("type %v, want %s", m["type"], want)
		}
	}
	var p replicate.Prediction
	if err := json.Unmarshal(got[0].Body, &p); err != nil || p.ID != "p_fail_1" || p.Status != replicate.Failed {
		t.Errorf("the result is not the prediction: %v %+v", err, p)
	}
	if a := decode(t, got[1].Body); a["model"] != "acme/model" || a["failures"] != float64(3) || a["window_seconds"] != float64(600) {
		t.Errorf("alert %v", a)
	}
}

func TestGenericRetryKeepsItsID(t *testing.T) {
	secret, _ := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	s := newService(t, false, answer{502, "bad gateway"}, answer{200, ""})
	c := mustNew(t, "generic+"+s.URL+"/h", Options{Secret: secret})
	err := c.Send(context.Background(), failed())
	var e *Error
	if !errors.As(err, &e) || !e.Temporary() || e.Status != 502 {
		t.Fatalf("err %#v", err)
	}
	if err := c.Send(context.Background(), failed()); err != nil {
		t.Fatal(err)
	}
	got := s.requests()
	if got[0].Header.Get("webhook-id") != got[1].Header.Get("webhook-id") {
		t.Errorf("ids %q and %q differ", got[0].Header.Get("webhook-id"), got[1].Header.Get("webhook-id"))
	}
}

func TestGenericNeedsSecret(t *testing.T) {
	if _, err := New("generic://example.com/hook", Options{}); !errors.Is(err, ErrNoSecret) {
		t.Errorf("err %v, want ErrNoSecret", err)
	}
}

func TestGenericTargets(t *testing.T) {
	secret, _ := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	for raw, want := range map[string]string{
		"generic://example.com/hook?x=1":              "https://example.com/hook?x=1",
		"generic://example.com:8080/h?disabletls=yes": "http://example.com:8080/h",
		"generic+https://example.com/h?token=a":       "https://example.com/h?token=a",
		"generic+http://127.0.0.1:9/h":                "http://127.0.0.1:9/h",
	} {
		c := mustNew(t, raw, Options{Secret: secret})
		if c.target != want {
			t.Errorf("%s: target %s, want %s", raw, c.target, want)
		}
	}
}

func TestSendBoundedByContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	host := strings.TrimPrefix(srv.URL, "http://")
	c := mustNew(t, "ntfy://"+host+"/topic1234?disabletls=yes", Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.Send(ctx, failed())
	var e *Error
	if !errors.As(err, &e) || !e.Temporary() {
		t.Fatalf("err %#v, want a temporary timeout", err)
	}
}

func TestInvalidURLs(t *testing.T) {
	for raw, want := range map[string]string{
		"nosuch://token1234@host":           "unknown service",
		"slack://not-a-token-secretvalue@x": "not a valid slack URL",
		"discord://@123456789":              "not a valid discord URL",
		"smtp://user:pw@host:587":           "--email-to",
		"::::":                              "does not parse",
		"generic://":                        "has no host",
	} {
		_, err := New(raw, Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secretvalue") {
			t.Errorf("%s: secret in %v", raw, err)
		}
	}
}

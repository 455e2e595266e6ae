package simulator

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// get fetches url without a token.
func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestWebPage: urls.web is the simulator's own page, served without a
// token; it shows the prediction escaped and no secret.
func TestWebPage(t *testing.T) {
	var mu sync.Mutex
	var events []Event
	s, base := startSim(t, Config{OnEvent: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}})
	hook := newReceiver(t, nil)
	code, _, out := call(t, "POST", base+"/models/acme/echo/predictions",
		map[string]any{"input": map[string]any{"text": "<script>alert(1)</script>"}, "webhook": hook.URL}, nil)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, out)
	}
	p := object(t, out)
	id := p["id"].(string)
	web := p["urls"].(map[string]any)["web"].(string)
	if want := strings.TrimSuffix(base, "/v1") + "/p/" + id; web != want {
		t.Fatalf("urls.web %q, want %q", web, want)
	}
	waitTerminal(t, s, id)

	resp, body := get(t, web)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET %s: %d %s", web, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	for _, want := range []string{"<h2>Prediction " + id + " succeeded</h2>", "&lt;script&gt;alert(1)&lt;/script&gt;", "acme/echo", base + "/predictions/" + id} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	for _, leak := range []string{"<script>", testToken, testSecret, strings.TrimPrefix(testSecret, "whsec_"), "token=abc", `http-equiv="refresh"`} {
		if strings.Contains(body, leak) {
			t.Errorf("page shows %q:\n%s", leak, body)
		}
	}

	resp, body = get(t, strings.TrimSuffix(base, "/v1")+"/p/nosuchid")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "No prediction nosuchid") {
		t.Errorf("unknown id: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := get(t, base+"/predictions/"+id); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the API without a token: %d", resp.StatusCode)
	}

	mu.Lock()
	defer mu.Unlock()
	pages := 0
	for _, e := range events {
		if e.Kind == "page" {
			pages++
			if e.Method != http.MethodGet || !strings.HasPrefix(e.Path, "/p/") || e.Status == 0 {
				t.Errorf("page event %+v", e)
			}
		}
	}
	if pages != 2 {
		t.Errorf("%d page events, want 2", pages)
	}
}

// TestWebPageRefreshesWhileRunning: a running prediction's page reloads
// itself until it ends.
func TestWebPageRefreshesWhileRunning(t *testing.T) {
	_, base := startSim(t, Config{})
	p := create(t, base, map[string]any{"version": ChaosMonkeyVersion, "input": map[string]any{"sleep": 300}}, nil)
	_, body := get(t, p["urls"].(map[string]any)["web"].(string))
	if !strings.Contains(body, `<meta http-equiv="refresh" content="2">`) || !strings.Contains(body, "(none yet)") {
		t.Errorf("running prediction's page:\n%s", body)
	}
}

func TestCheckSecret(t *testing.T) {
	key := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	tests := []struct {
		secret, err string
	}{
		{"whsec_" + key(24), ""},
		{"whsec_" + key(64), ""},
		{testSecret, ""},
		{"notwhsec", "no whsec_ prefix (want whsec_ followed by the base64 of 24 to 64 bytes)"},
		{key(32), "no whsec_ prefix"},
		{"whsec_" + key(23), "a 23-byte key"},
		{"whsec_" + key(65), "a 65-byte key"},
		{"whsec_", "a 0-byte key"},
		{"whsec_not base64!", "not standard base64 after whsec_"},
		{" whsec_" + key(32), "no whsec_ prefix"},
	}
	for _, tt := range tests {
		err := CheckSecret(tt.secret)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("CheckSecret(%q): %v", tt.secret, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("CheckSecret(%q) = %v, want %q", tt.secret, err, tt.err)
		case err != nil && len(tt.secret) > 8 && strings.Contains(err.Error(), tt.secret[6:]):
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
	if _, err := New(Config{Secret: "whsec_" + key(8)}); err == nil || !strings.Contains(err.Error(), "invalid webhook secret: a 8-byte key") {
		t.Errorf("New with a short secret: %v", err)
	}
}

// TestWebPageDeployment: a deployment's prediction names its deployment.
func TestWebPageDeployment(t *testing.T) {
	s, base := startSim(t, Config{})
	code, _, out := call(t, "POST", base+"/deployments/acme/chaos-monkey/predictions", map[string]any{"input": map[string]any{}}, nil)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, out)
	}
	p := object(t, out)
	waitTerminal(t, s, p["id"].(string))
	_, body := get(t, p["urls"].(map[string]any)["web"].(string))
	if !strings.Contains(body, "<th align=\"left\">Deployment</th><td>acme/chaos-monkey</td>") || !strings.Contains(body, ChaosMonkeyModel) {
		t.Errorf("page does not name the deployment and its model:\n%s", body)
	}
}

package inspector

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/delivery"
)

// call makes a request to the inspector and returns the status and body.
func call(t *testing.T, method, url string, header map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPageHeadersAndHost(t *testing.T) {
	r := newRig(t, Config{})
	resp, err := http.Get(r.ui.URL())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if !strings.Contains(string(page), `<meta name="notifier-token" content="`+r.ui.token+`">`) {
		t.Error("the page does not carry its token")
	}
	if strings.Contains(string(page), "<script>") || strings.Contains(string(page), "http://") || strings.Contains(string(page), "https://") {
		t.Error("the page holds inline script or loads something from elsewhere")
	}
	// DNS rebinding: a name that resolves to 127.0.0.1 is still not this page.
	if code, _ := call(t, "GET", r.ui.URL()+"api/deliveries", map[string]string{"Host": "attacker.example:4141"}, ""); code != http.StatusMisdirectedRequest {
		t.Errorf("a request for another host got %d, want 421", code)
	}
	if code, _ := call(t, "GET", r.ui.URL()+"api/deliveries", map[string]string{"Host": "localhost"}, ""); code != http.StatusOK {
		t.Errorf("a request for localhost got %d, want 200", code)
	}
}

func TestStateChangesNeedTheToken(t *testing.T) {
	fwd := newTarget(t)
	r := newRig(t, Config{ForwardTo: fwd.URL, ForwardShown: fwd.URL})
	r.send("msg_1", pred("p1", "zeke/chaos-monkey", "succeeded", "ok", "", nil), false)
	replay := r.ui.URL() + "api/deliveries/1/replay"
	origin := strings.TrimSuffix(r.ui.URL(), "/")
	good := map[string]string{"Content-Type": "application/json", tokenHeader: r.ui.token, "Origin": origin, "Sec-Fetch-Site": "same-origin"}
	with := func(k, v string) map[string]string {
		h := map[string]string{}
		for a, b := range good {
			h[a] = b
		}
		if v == "" {
			delete(h, k)
		} else {
			h[k] = v
		}
		return h
	}
	for name, h := range map[string]map[string]string{
		"no token":         with(tokenHeader, ""),
		"wrong token":      with(tokenHeader, strings.Repeat("0", 64)),
		"another origin":   with("Origin", "http://evil.example"),
		"another site":     with("Sec-Fetch-Site", "cross-site"),
		"a sibling origin": with("Sec-Fetch-Site", "same-site"),
	} {
		if code, body := call(t, "POST", replay, h, `{}`); code != http.StatusForbidden || !strings.Contains(body, "refused") {
			t.Errorf("%s: replay answered %d %s, want 403", name, code, body)
		}
		if code, _ := call(t, "POST", r.ui.URL()+"api/clear", h, ""); code != http.StatusForbidden {
			t.Errorf("%s: clear answered %d, want 403", name, code)
		}
	}
	if n := len(fwd.requests()); n != 0 {
		t.Fatalf("refused replays reached the target %d times", n)
	}
	if code, body := call(t, "POST", replay, good, `{}`); code != http.StatusOK || !strings.Contains(body, `"status":204`) {
		t.Errorf("the page's own replay answered %d %s", code, body)
	}
	if code, body := call(t, "POST", replay, with("Content-Type", "text/plain"), `{}`); code != http.StatusBadRequest {
		t.Errorf("a replay that is not JSON answered %d %s, want 400", code, body)
	}
	if code, _ := call(t, "POST", r.ui.URL()+"api/clear", good, ""); code != http.StatusNoContent {
		t.Errorf("the page's own clear answered %d", code)
	}
	if n := len(r.ui.store.summaries()); n != 0 {
		t.Errorf("%d deliveries kept after clear", n)
	}
}

func TestReplayErrors(t *testing.T) {
	r := newRig(t, Config{})
	r.send("msg_ok", pred("p1", "zeke/chaos-monkey", "succeeded", "ok", "", nil), false)
	big := pred("p2", "zeke/chaos-monkey", "succeeded", strings.Repeat("x", 8000), "", nil)
	r.send("msg_bad", big, true) // rejected: only a 4 KiB prefix is kept
	h := map[string]string{"Content-Type": "application/json", tokenHeader: r.ui.token}
	for _, c := range []struct {
		seq, body string
		code      int
		want      string
	}{
		{"1", `{}`, 400, "type a URL"},
		{"1", `{"to":"ftp://x"}`, 400, "invalid URL"},
		{"1", `{"to":"http://127.0.0.1:1/x","surprise":1}`, 400, "unknown field"},
		{"2", `{"to":"http://127.0.0.1:1/x"}`, 409, "only a prefix"},
		{"9", `{"to":"http://127.0.0.1:1/x"}`, 404, "no such delivery"},
		{"1", `{"to":"http://127.0.0.1:1/x"}`, 200, `"error":"connection refused"`},
	} {
		code, body := call(t, "POST", r.ui.URL()+"api/deliveries/"+c.seq+"/replay", h, c.body)
		if code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("replay %s %s: %d %s, want %d %q", c.seq, c.body, code, body, c.code, c.want)
		}
	}
}

func TestCurlAndRecord(t *testing.T) {
	r := newRig(t, Config{})
	body := pred("p1", "zeke/chaos-monkey", "succeeded", "it's \"quoted\" and $HOME `x`", "", nil)
	r.send("msg_1", body, false)
	code, cmd := call(t, "GET", r.ui.URL()+"api/deliveries/1/curl", nil, "")
	if code != http.StatusOK || !strings.HasPrefix(cmd, "curl -sS -X 'POST' '"+r.hook+"'") {
		t.Fatalf("curl: %d %s", code, cmd)
	}
	// The command's arguments, as a shell sees them, are the delivery's.
	sh := strings.Replace(cmd, "curl ", `for a in `, 1)
	out, err := exec.Command("sh", "-c", strings.TrimSpace(sh)+"; do printf '%s\\0' \"$a\"; done").Output()
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if args[len(args)-1] != body || args[len(args)-2] != "--data-binary" {
		t.Errorf("the shell sees the body as %q", args[len(args)-1])
	}
	if !strings.Contains(cmd, "-H 'Webhook-Id: msg_1'") || strings.Contains(cmd, "Content-Length") {
		t.Errorf("curl headers: %s", cmd)
	}
	if code, _ := call(t, "GET", r.ui.URL()+"api/deliveries/1/curl?to=javascript:x", nil, ""); code != http.StatusBadRequest {
		t.Errorf("curl to a non-http URL answered %d", code)
	}

	code, line := call(t, "GET", r.ui.URL()+"api/deliveries/1/record", nil, "")
	rec, err := delivery.Parse([]byte(line))
	if code != http.StatusOK || err != nil {
		t.Fatalf("record: %d %v", code, err)
	}
	if raw, _ := rec.RawBody(); string(raw) != body || rec.WebhookID != "msg_1" || rec.Verdict != "verified" {
		t.Errorf("downloaded record %+v", rec)
	}
}

func TestHistoryAndBounds(t *testing.T) {
	ui, err := Start(Config{Addr: "127.0.0.1:0", MaxEntries: 3, MaxBodyBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer ui.Close(t.Context())
	var recs []delivery.Record
	for i := range 5 {
		b := pred("p"+string(rune('a'+i)), "m/x", "succeeded", "ok", "", nil)
		recs = append(recs, delivery.Record{Version: 1, ReceivedAt: time.Now(), WebhookID: "h" + string(rune('a'+i)),
			Method: "POST", Path: "/hook", Body: &b, BodySize: int64(len(b)), Verdict: "verified", HTTPStatus: 200})
	}
	var file []byte
	for _, rec := range recs {
		line, err := rec.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		file = append(file, line...)
	}
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ui.LoadHistory(path); err != nil {
		t.Fatal(err)
	}
	got := ui.store.summaries()
	if want := min(3, 1000/len(*recs[0].Body)); len(got) != want {
		t.Fatalf("kept %d deliveries, want the %d that 1000 bytes hold", len(got), want)
	}
	if last := got[len(got)-1]; !last.History || last.WebhookID != "he" {
		t.Errorf("newest kept %+v, want history delivery he", last)
	}
	code, list := call(t, "GET", ui.URL()+"api/deliveries", nil, "")
	var sums []Summary
	if code != http.StatusOK || json.Unmarshal([]byte(list), &sums) != nil || len(sums) != len(got) {
		t.Errorf("/api/deliveries: %d %s", code, list)
	}
	// Without a signing secret a replay is sent as received only.
	h := map[string]string{"Content-Type": "application/json", tokenHeader: ui.token}
	seq := strconv.FormatInt(got[0].Seq, 10)
	if code, body := call(t, "POST", ui.URL()+"api/deliveries/"+seq+"/replay", h, `{"to":"http://127.0.0.1:1/","resign":true}`); code != http.StatusBadRequest || !strings.Contains(body, "no signing secret") {
		t.Errorf("re-signed replay without a secret: %d %s", code, body)
	}
}

// The stream starts afresh on every connection: a reset, then every
// delivery kept, then the new ones.
func TestEventStream(t *testing.T) {
	r := newRig(t, Config{})
	r.send("msg_1", pred("p1", "zeke/chaos-monkey", "starting", nil, "", nil), false)
	resp, err := http.Get(r.ui.URL() + "events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	next := func() (string, string) {
		var name, data string
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "" && name != "":
				return name, data
			}
		}
		t.Fatalf("stream ended: %v", sc.Err())
		return "", ""
	}
	if name, _ := next(); name != "reset" {
		t.Fatalf("first event %q, want reset", name)
	}
	if name, data := next(); name != "delivery" || !strings.Contains(data, `"event":"start"`) {
		t.Fatalf("second event %s %s", name, data)
	}
	r.send("msg_2", pred("p1", "zeke/chaos-monkey", "processing", []string{"a"}, "", nil), false)
	if name, data := next(); name != "delivery" || !strings.Contains(data, `"event":"output"`) || !strings.Contains(data, `"seq":2`) {
		t.Fatalf("live event %s %s", name, data)
	}
	r.ui.SetStatus("the run is over")
	if name, data := next(); name != "status" || data != `{"text":"the run is over"}` {
		t.Fatalf("status event %s %s", name, data)
	}
}

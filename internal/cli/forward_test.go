package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/notifier-dev/notifier/internal/listener"
)

func TestForwardHeaders(t *testing.T) {
	in := http.Header{
		"Content-Type":      {"application/json"},
		"Webhook-Id":        {"msg_1"},
		"Webhook-Signature": {"v1,a v1,b"},
		"Webhook-Timestamp": {"1700000000"},
		"X-Multi":           {"a", "b"},
		"Connection":        {"keep-alive, X-Hop"},
		"X-Hop":             {"gone"},
		"Keep-Alive":        {"timeout=5"},
		"Transfer-Encoding": {"chunked"},
		"Te":                {"trailers"},
		"Upgrade":           {"h2c"},
		"Proxy-Connection":  {"keep-alive"},
		"Host":              {"example.ngrok.app"},
		"Content-Length":    {"123"},
		"Accept-Encoding":   {"gzip"},
	}
	want := http.Header{
		"Content-Type":      {"application/json"},
		"Webhook-Id":        {"msg_1"},
		"Webhook-Signature": {"v1,a v1,b"},
		"Webhook-Timestamp": {"1700000000"},
		"X-Multi":           {"a", "b"},
		"Accept-Encoding":   {"gzip"},
	}
	got := forwardHeaders(in)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("forwardHeaders:\ngot  %v\nwant %v", got, want)
	}
	if in.Get("X-Hop") != "gone" {
		t.Error("forwardHeaders changed its input")
	}
	if got := forwardHeaders(nil); got == nil || len(got) != 0 {
		t.Errorf("forwardHeaders(nil) = %v", got)
	}
}

func TestParseTargetURL(t *testing.T) {
	for _, ok := range []string{"http://localhost:3000/webhooks", "https://example.com", "http://user:pw@127.0.0.1:1/x?y=1"} {
		if _, err := parseTargetURL("--to", ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "localhost:3000", "/webhooks", "ftp://example.com/x", "http://", "http//x", "::"} {
		_, err := parseTargetURL("--to", bad)
		if code, _ := exitCodeOf(err); err == nil || code != exitUsage {
			t.Errorf("%q: %v (exit %d), want a usage error", bad, err, code)
		}
	}
}

// target is an app that keeps what it was sent.
type gotRequest struct {
	method string
	header http.Header
	body   string
}

func newTarget(t *testing.T, status int, got *[]gotRequest) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*got = append(*got, gotRequest{r.Method, r.Header.Clone(), string(b)})
		if status/100 == 3 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSendKeepsBodyAndHeaders(t *testing.T) {
	var got []gotRequest
	srv := newTarget(t, http.StatusNoContent, &got)
	d := testDelivery([]byte("{\"id\": 1,\n  \"x\" : \"\xff\"}"))
	res := send(context.Background(), newSendClient(), "POST", srv.URL+"/hook", d.Header, d.Body)
	if !res.OK() || res.Status != 204 {
		t.Fatalf("send = %+v", res)
	}
	if len(got) != 1 || got[0].method != "POST" || got[0].body != string(d.Body) {
		t.Fatalf("target got %+v", got)
	}
	for _, name := range []string{"Content-Type", "Webhook-Id"} {
		if got[0].header.Get(name) != d.Header.Get(name) {
			t.Errorf("header %s = %q, want %q", name, got[0].header.Get(name), d.Header.Get(name))
		}
	}
	if v := got[0].header.Values("X-Multi"); !reflect.DeepEqual(v, []string{"a", "b"}) {
		t.Errorf("X-Multi = %v", v)
	}
}

func TestSendReportsRedirects(t *testing.T) {
	var got []gotRequest
	srv := newTarget(t, http.StatusFound, &got)
	res := send(context.Background(), newSendClient(), "POST", srv.URL, nil, nil)
	if res.Status != 302 || res.OK() || len(got) != 1 {
		t.Errorf("send = %+v after %d requests; want 302 and no redirect followed", res, len(got))
	}
	if !strings.HasPrefix(res.String(), "302 Found (") {
		t.Errorf("String() = %q", res.String())
	}
}

func TestSendErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/x"
	ln.Close()
	res := send(context.Background(), newSendClient(), "POST", dead, nil, nil)
	if res.OK() || res.String() != "error: connection refused" {
		t.Errorf("dead target: %+v %q", res, res.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res = send(ctx, newSendClient(), "POST", dead, nil, nil)
	if res.String() != "error: stopped before the answer came" {
		t.Errorf("canceled: %q", res.String())
	}
}

func TestForwarderLines(t *testing.T) {
	var got []gotRequest
	srv := newTarget(t, http.StatusInternalServerError, &got)
	io, out, _ := testStreams()
	r := newDeliveryRenderer(io, false)
	f, err := newForwarder(srv.URL+"/webhooks", r)
	if err != nil {
		t.Fatal(err)
	}
	d := testDelivery([]byte("{}"))
	f.forward(context.Background(), d)
	for _, v := range []listener.Verdict{listener.Duplicate, listener.Rejected} {
		d.Verdict = v
		f.forward(context.Background(), d)
	}
	d.Verdict = listener.Unverified
	f.forward(context.Background(), d)
	if len(got) != 2 {
		t.Errorf("%d forwarded, want 2 (verified and unverified only)", len(got))
	}
	line := regexp.MustCompile(`^\d\d:\d\d:\d\d  <-- 500 Internal Server Error  \([0-9.]+[µm]?s\)  http://127\.0\.0\.1:\d+/webhooks$`)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !line.MatchString(lines[0]) || !line.MatchString(lines[1]) {
		t.Errorf("output:\n%s", out)
	}
}

func TestForwarderHidesPassword(t *testing.T) {
	var got []gotRequest
	srv := newTarget(t, http.StatusOK, &got)
	io, out, _ := testStreams()
	f, err := newForwarder(strings.Replace(srv.URL, "http://", "http://app:s3cret@", 1)+"/w", newDeliveryRenderer(io, true))
	if err != nil {
		t.Fatal(err)
	}
	f.forward(context.Background(), testDelivery([]byte("{}")))
	if len(got) != 1 || got[0].header.Get("Authorization") == "" {
		t.Errorf("the target got no basic auth: %+v", got)
	}
	if strings.Contains(out.String(), "s3cret") || !regexp.MustCompile(`^\{"type":"forward","webhook_id":"msg_1","status":200,"duration_ms":\d+\}\n$`).MatchString(out.String()) {
		t.Errorf("output: %s", out)
	}
}

func TestNilForwarder(t *testing.T) {
	f, err := newForwarder("", nil)
	if f != nil || err != nil {
		t.Fatalf("newForwarder(\"\") = %v, %v", f, err)
	}
	f.forward(context.Background(), testDelivery(nil)) // no-op
}

package delivery

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
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
	got := ForwardHeaders(in)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ForwardHeaders:\ngot  %v\nwant %v", got, want)
	}
	if in.Get("X-Hop") != "gone" {
		t.Error("ForwardHeaders changed its input")
	}
	if got := ForwardHeaders(nil); got == nil || len(got) != 0 {
		t.Errorf("ForwardHeaders(nil) = %v", got)
	}
}

func TestParseTarget(t *testing.T) {
	for _, ok := range []string{"http://localhost:3000/webhooks", "https://example.com", "http://user:pw@127.0.0.1:1/x?y=1"} {
		if _, err := ParseTarget(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "localhost:3000", "/webhooks", "ftp://example.com/x", "http://", "http//x", "::"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// gotRequest is what a target received.
type gotRequest struct {
	method string
	header http.Header
	body   string
}

// target is an app that keeps what it was sent and answers status.
type target struct {
	*httptest.Server
	mu  sync.Mutex
	got []gotRequest
}

func newTarget(t *testing.T, status int) *target {
	t.Helper()
	tg := &target{}
	tg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		tg.mu.Lock()
		tg.got = append(tg.got, gotRequest{r.Method, r.Header.Clone(), string(b)})
		tg.mu.Unlock()
		if status/100 == 3 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(tg.Close)
	return tg
}

func (tg *target) requests() []gotRequest {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]gotRequest(nil), tg.got...)
}

func TestSendKeepsBodyAndHeaders(t *testing.T) {
	tg := newTarget(t, http.StatusNoContent)
	d := testDelivery([]byte("{\"id\": 1,\n  \"x\" : \"\xff\"}"))
	res := Send(context.Background(), NewClient(0), "POST", tg.URL+"/hook", d.Header, d.Body)
	if !res.OK() || res.Status != 204 {
		t.Fatalf("Send = %+v", res)
	}
	got := tg.requests()
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
	tg := newTarget(t, http.StatusFound)
	res := Send(context.Background(), NewClient(0), "POST", tg.URL, nil, nil)
	if res.Status != 302 || res.OK() || len(tg.requests()) != 1 {
		t.Errorf("Send = %+v after %d requests; want 302 and no redirect followed", res, len(tg.requests()))
	}
}

func TestSendErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/x"
	ln.Close()
	res := Send(context.Background(), NewClient(0), "POST", dead, nil, nil)
	if res.OK() || res.Describe(DefaultTimeout) != "connection refused" {
		t.Errorf("dead target: %+v %q", res, res.Describe(DefaultTimeout))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res = Send(ctx, NewClient(0), "POST", dead, nil, nil)
	if res.Err != ErrStopped || res.Describe(DefaultTimeout) != "stopped before the answer came" {
		t.Errorf("canceled: %+v", res)
	}
}

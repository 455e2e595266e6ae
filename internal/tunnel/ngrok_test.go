package tunnel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestNgrokServesThroughEdge(t *testing.T) {
	s := startFake(t)
	baseline := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	tun, err := Open(ctx, fakeConfig(s, goodToken))
	// The tunnel must outlive the context of the call that opened it
	// (docs/replicate.md, "ngrok", trap 2).
	cancel()
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if tun.URL != s.EdgeURL() || tun.Local {
		t.Errorf("URL = %q, Local = %v; want %q, false", tun.URL, tun.Local, s.EdgeURL())
	}
	paths, stop := serveHTTP(t, tun)
	for _, path := range []string{"/hook/abc", "/hook/def"} {
		if body := get(t, tun.URL+path); body != "hello "+path {
			t.Errorf("GET %s = %q", path, body)
		}
		if got := <-paths; got != path {
			t.Errorf("listener saw %q, want %q", got, path)
		}
	}
	if n := s.SessionCount(); n != 1 {
		t.Errorf("SessionCount = %d, want 1", n)
	}
	stop()
	checkNoLeak(t, baseline)
}

func TestNgrokRefusedSession(t *testing.T) {
	tests := []struct {
		name, token, refuseAll, code string
	}{
		{"bad token", "2bogusTOKEN_notvalid", "", "ERR_NGROK_107"},
		{"session limit", goodToken, "ERR_NGROK_108", "ERR_NGROK_108"},
		{"unverified account", goodToken, "ERR_NGROK_4018", "ERR_NGROK_4018"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startFake(t)
			s.RefuseSessions(tt.refuseAll)
			baseline := runtime.NumGoroutine()
			refused := openRefused(t, s, fakeConfig(s, tt.token), tt.code)
			if refused.Message == "" {
				t.Errorf("no message in %v", refused)
			}
			checkNoLeak(t, baseline)
		})
	}
}

func TestNgrokBindRefused(t *testing.T) {
	s := startFake(t)
	s.RefuseBind("ERR_NGROK_334")
	baseline := runtime.NumGoroutine()
	cfg := fakeConfig(s, goodToken)
	cfg.Domain = "hooks.example.com"
	refused := openRefused(t, s, cfg, "ERR_NGROK_334")
	if !strings.Contains(refused.Message, "https://hooks.example.com") {
		t.Errorf("message %q does not name the requested URL", refused.Message)
	}
	checkNoLeak(t, baseline)
}

func TestNgrokReconnects(t *testing.T) {
	s := startFake(t)
	baseline := runtime.NumGoroutine()
	events := make(chan Event, 16)
	cfg := fakeConfig(s, goodToken)
	cfg.OnEvent = func(e Event) { events <- e }
	tun, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	paths, stop := serveHTTP(t, tun)
	get(t, tun.URL+"/before")
	<-paths

	s.DropSessions()
	for _, want := range []EventKind{EventLost, EventRestored} {
		select {
		case e := <-events:
			if e.Kind != want {
				t.Fatalf("event %v (%v), want %v", e.Kind, e.Err, want)
			}
			if want == EventLost && e.Err == nil {
				t.Errorf("EventLost without a reason")
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no %v event", want)
		}
	}
	if body := get(t, tun.URL+"/after"); body != "hello /after" {
		t.Errorf("after reconnect: GET = %q", body)
	}
	if got := <-paths; got != "/after" {
		t.Errorf("listener saw %q after reconnect", got)
	}
	if n, b := s.SessionCount(), s.BindCount(); n != 2 || b != 2 {
		t.Errorf("SessionCount, BindCount = %d, %d; want 2, 2", n, b)
	}
	stop()
	select {
	case e := <-events:
		t.Errorf("unexpected event %v (%v) before or after Close", e.Kind, e.Err)
	default:
	}
	checkNoLeak(t, baseline)
}

// TestNgrokUnreachable: a refused connection at the first connect fails at
// once, with its cause, instead of waiting out the connect deadline.
func TestNgrokUnreachable(t *testing.T) {
	baseline := runtime.NumGoroutine()
	cfg := Config{Mode: ModeNgrok, Authtoken: goodToken, ConnectURL: closedPort(t),
		ConnectTimeout: time.Hour, heartbeat: testHeartbeat, heartbeatTolerance: testTolerance}
	tun, err := Open(context.Background(), cfg)
	if err == nil {
		tun.Close()
		t.Fatal("Open succeeded")
	}
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), "cannot reach ngrok: ") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Open error = %T %v, want *UnreachableError saying connection refused", err, err)
	}
	checkNoLeak(t, baseline)
}

func TestIsUnreachable(t *testing.T) {
	dns := fmt.Errorf("dial: %w", &net.DNSError{Err: "no such host", Name: "connect.ngrok-agent.com", IsNotFound: true})
	if !isUnreachable(dns) || isUnreachable(errors.New("tls: handshake failure")) {
		t.Error("isUnreachable misjudges a DNS failure or a TLS error")
	}
}

func TestNgrokConnectTimeout(t *testing.T) {
	tests := []struct {
		name string
		addr func(*testing.T) string
	}{
		{"no answer", silentListener},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.addr(t)
			baseline := runtime.NumGoroutine()
			cfg := Config{Mode: ModeNgrok, Authtoken: goodToken, ConnectURL: addr,
				ConnectTimeout: 300 * time.Millisecond, heartbeat: testHeartbeat, heartbeatTolerance: testTolerance}
			tun, err := Open(context.Background(), cfg)
			if err == nil {
				tun.Close()
				t.Fatal("Open succeeded")
			}
			var timeout *ConnectTimeoutError
			if !errors.As(err, &timeout) || timeout.After != 300*time.Millisecond {
				t.Fatalf("Open error = %T %v, want *ConnectTimeoutError after 300ms", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "could not reach ngrok within 300ms: ") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line starting %q", msg, "could not reach ngrok within 300ms: ")
			}
			t.Logf("%s: %v", tt.name, err)
			checkNoLeak(t, baseline)
		})
	}
}

func TestNgrokContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg := Config{Mode: ModeNgrok, Authtoken: goodToken, ConnectURL: silentListener(t)}
	tun, err := Open(ctx, cfg)
	if err == nil {
		tun.Close()
		t.Fatal("Open succeeded")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Open error = %v, want context.Canceled", err)
	}
}

func TestNgrokNoAuthtoken(t *testing.T) {
	for _, token := range []string{"", "   ", "\t\n"} {
		// The connect URL is never dialed: nothing listens there.
		cfg := Config{Mode: ModeNgrok, Authtoken: token, ConnectURL: "127.0.0.1:1"}
		tun, err := Open(context.Background(), cfg)
		if !errors.Is(err, ErrNoAuthtoken) {
			t.Errorf("Open(token %q) = %v, %v; want ErrNoAuthtoken", token, tun, err)
		}
	}
}

func TestNgrokCloseAfterListenerClose(t *testing.T) {
	// internal/cli's server closes the listener when serving ends, then
	// the tunnel; and Close may run twice.
	s := startFake(t)
	baseline := runtime.NumGoroutine()
	tun, err := Open(context.Background(), fakeConfig(s, goodToken))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := tun.Listener.Close(); err != nil {
		t.Errorf("closing listener: %v", err)
	}
	if _, err := tun.Listener.Accept(); err == nil {
		t.Errorf("Accept after Close succeeded")
	}
	for range 2 {
		if err := tun.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	checkNoLeak(t, baseline)
}

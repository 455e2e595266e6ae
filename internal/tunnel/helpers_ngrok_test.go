package tunnel

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/ngroktest"
)

const goodToken = "2abcTESTtoken_good"

// testHeartbeat and testTolerance are short so that muxado's heartbeat
// goroutines, which notice a closed or dropped session only at their next
// beat or when the tolerance runs out, end soon after a test. The tolerance
// stays long enough that a slow -race run does not see false timeouts.
const (
	testHeartbeat = 50 * time.Millisecond
	testTolerance = 2 * time.Second
)

// startFake starts a fake ngrok service that accepts goodToken.
func startFake(t *testing.T) *ngroktest.Server {
	t.Helper()
	s, err := ngroktest.Start(ngroktest.Config{ValidTokens: []string{goodToken}})
	if err != nil {
		t.Fatalf("starting fake ngrok: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fakeConfig points ModeNgrok at the fake. The generous ConnectTimeout
// makes a RefusedError prove the connect stopped on the refusal.
func fakeConfig(s *ngroktest.Server, token string) Config {
	return Config{
		Mode: ModeNgrok, Authtoken: token, Version: "test",
		ConnectURL: s.ConnectAddr(), ConnectCAs: s.CAs(),
		ConnectTimeout:     30 * time.Second,
		heartbeat:          testHeartbeat,
		heartbeatTolerance: testTolerance,
	}
}

// serveHTTP serves tun.Listener until stop or the end of the test,
// answering "hello <path>", and reports each request's path on the returned
// channel. stop closes the tunnel and waits for the server to finish.
func serveHTTP(t *testing.T, tun *Tunnel) (paths <-chan string, stop func()) {
	t.Helper()
	ch := make(chan string, 16)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ch <- r.URL.Path
		io.WriteString(w, "hello "+r.URL.Path)
	})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(tun.Listener)
	}()
	stop = sync.OnceFunc(func() {
		if err := tun.Close(); err != nil {
			t.Errorf("closing tunnel: %v", err)
		}
		srv.Close()
		<-done
	})
	t.Cleanup(stop)
	return ch, stop
}

// get fetches url on a fresh connection and returns the body.
func get(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	return string(body)
}

// checkNoLeak waits until the goroutine count is back to baseline, and
// fails with the remaining stacks if it is not within the deadline.
// ngrok-go's reconnect loop may finish one backoff sleep (0.5s to 1s here)
// before it exits, hence the wait.
func checkNoLeak(t *testing.T, baseline int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines left, want at most %d:\n%s", runtime.NumGoroutine(), baseline, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openRefused opens a tunnel on s that must be refused with code after a
// single authentication attempt.
func openRefused(t *testing.T, s *ngroktest.Server, cfg Config, code string) *RefusedError {
	t.Helper()
	tun, err := Open(context.Background(), cfg)
	if err == nil {
		tun.Close()
		t.Fatalf("Open succeeded, want refusal %s", code)
	}
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("Open error = %T %v, want *RefusedError", err, err)
	}
	if n := s.AuthAttempts(); n != 1 {
		t.Errorf("%d authentication attempts, want 1: the agent must stop at the first refusal", n)
	}
	if refused.Code != code {
		t.Errorf("code = %q, want %q (error %v)", refused.Code, code, err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || strings.Contains(msg, cfg.Authtoken) {
		t.Errorf("error %q: want one line without the authtoken", msg)
	}
	return refused
}

// silentListener accepts connections and never answers, like a black-holed
// ngrok service. It returns its address.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		close(conns)
		for c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

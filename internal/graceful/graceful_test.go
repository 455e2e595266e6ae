package graceful

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// liveness bounds every wait of these tests; it is never reached when the
// code works.
const liveness = 10 * time.Second

// freshLiveness bounds a shutdown with a fresh connection open: generous,
// yet below the 5 s that http.Server.Shutdown alone waits before it treats
// such a connection as idle, so the test fails without the Tracker.
const freshLiveness = 4 * time.Second

// start serves h on loopback with a Tracker and returns the server's
// address, the tracker and Serve's result.
func start(t *testing.T, h http.Handler, hook func(net.Conn, http.ConnState)) (string, *Tracker, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ConnState: hook}
	tr := Track(srv)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), tr, served
}

// shutdown runs tr.Shutdown with a grace far longer than any test, and
// returns its result, failing if it does not come within liveness.
func shutdown(t *testing.T, tr *Tracker) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- tr.Shutdown(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(freshLiveness):
		t.Fatal("Shutdown still waiting, with only a fresh connection open")
		return nil
	}
}

func TestShutdownClosesFreshConnections(t *testing.T) {
	var hooked atomic.Int32
	addr, tr, served := start(t, http.NotFoundHandler(), func(net.Conn, http.ConnState) { hooked.Add(1) })
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A request on another connection proves the server has accepted by now.
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()

	if err := shutdown(t, tr); err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(freshLiveness))
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("read on the fresh connection = %v, want EOF", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve = %v", err)
	}
	if hooked.Load() == 0 {
		t.Error("the server's own ConnState hook was not called")
	}
}

func TestShutdownWaitsForRequestsInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	addr, tr, _ := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "done")
	}), nil)
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-entered
	done := make(chan error, 1)
	go func() { done <- tr.Shutdown(context.Background()) }()
	waitRefused(t, addr) // Shutdown has begun
	close(release)
	if s := <-got; s != "done" {
		t.Fatalf("request in flight got %q, want its answer", s)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
}

func TestShutdownCutsRequestsPastTheGrace(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	addr, tr, _ := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	}), nil)
	failed := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
		}
		failed <- err
	}()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no grace at all
	if err := tr.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v, want context.Canceled", err)
	}
	if err := <-failed; err == nil {
		t.Fatal("the request past the grace got an answer; want its connection closed")
	}
}

// waitRefused polls until addr refuses connections, within liveness.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(liveness)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections")
		}
	}
}

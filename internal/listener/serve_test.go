package listener

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/webhook"
)

func TestServeDrainsQueueOnShutdown(t *testing.T) {
	gate := make(chan struct{})
	var mu sync.Mutex
	var processed []string
	l := newTestListener(t, Config{
		Secret: testSecret(t, goodSecret),
		Now:    time.Now,
		OnDelivery: func(d Delivery) {
			<-gate
			mu.Lock()
			processed = append(processed, d.WebhookID)
			mu.Unlock()
		},
	}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- l.Serve(ctx, ln) }()

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	url := "http://" + ln.Addr().String() + testPath
	sec := testSecret(t, goodSecret)
	want := []string{"m1", "m2", "m3"}
	for _, id := range want {
		// Each answer arrives while OnDelivery is still blocked: the
		// listener answers before processing.
		post(t, client, url, sec, id)
	}
	cancel()
	close(gate)
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	mu.Lock()
	got := strings.Join(processed, ",")
	mu.Unlock()
	if got != strings.Join(want, ",") {
		t.Fatalf("processed %v, want %v in order", got, want)
	}
	tr.CloseIdleConnections()
	waitNoGoroutines(t, "(*Listener).work", "(*Server).Serve", "(*conn).serve")
}

// waitNoGoroutines fails unless, within a deadline, no goroutine's stack
// mentions any of frames.
func waitNoGoroutines(t *testing.T, frames ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		leaked := ""
		for _, f := range frames {
			if strings.Contains(stacks, f) {
				leaked = f
			}
		}
		if leaked == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutine still running in %s:\n%s", leaked, stacks)
		}
		runtime.Gosched()
	}
}

func post(t *testing.T, client *http.Client, url string, sec *webhook.Secret, id string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(predictionBody))
	if err != nil {
		t.Fatal(err)
	}
	sec.SignHeaders(req.Header, id, time.Now(), []byte(predictionBody))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", id, resp.StatusCode)
	}
}

func TestServeReportsListenerFailure(t *testing.T) {
	l := newTestListener(t, Config{SkipVerify: true}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_ = ln.Close()
	err = l.Serve(context.Background(), ln)
	if err == nil || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Serve on closed listener = %v, want net.ErrClosed", err)
	}
}

func TestNew(t *testing.T) {
	var zero webhook.Secret
	tests := []struct {
		cfg     Config
		wantErr string
	}{
		{Config{}, "secret is required"},
		{Config{Secret: &zero}, "not set"},
		{Config{SkipVerify: true, Path: "hook"}, "must start with /"},
		{Config{SkipVerify: true, MaxBodyBytes: 2 << 20, MaxBufferedBytes: 1 << 20}, "MaxBufferedBytes (1048576) must be at least MaxBodyBytes (2097152)"},
		{Config{SkipVerify: true, MaxBufferedBytes: 1 << 20}, "must be at least MaxBodyBytes"},
		{Config{SkipVerify: true}, ""},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			l, err := New(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if !regexp.MustCompile(`^/hook/[0-9a-f]{32}$`).MatchString(l.Path()) {
				t.Errorf("default Path = %q", l.Path())
			}
		})
	}
}

func TestNewPathIsRandom(t *testing.T) {
	if a, b := NewPath(), NewPath(); a == b {
		t.Fatalf("NewPath repeated %q", a)
	}
}

// TestServeClosesFreshConnections checks that a connection which never sent
// a request does not hold up shutdown: it is closed, and Serve returns.
func TestServeClosesFreshConnections(t *testing.T) {
	l := newTestListener(t, Config{Secret: testSecret(t, goodSecret)}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- l.Serve(ctx, ln) }()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A request on another connection proves the server accepts by now.
	resp, err := http.Get("http://" + ln.Addr().String() + "/elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	// The fresh connection is closed by the server: the read ends with EOF
	// rather than at the deadline.
	conn.SetReadDeadline(time.Now().Add(4 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil || os.IsTimeout(err) {
		t.Fatalf("fresh connection not closed at shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v", err)
	}
}

package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/webhook"
)

// testSecret is the signing secret of the in-process listen tests.
const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a command
// and the reads of its test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// command is notifier running in process, as Main runs it, until its
// context (Ctrl-C) is canceled.
type command struct {
	stop   context.CancelFunc
	done   chan int
	out    *syncBuffer
	errOut *syncBuffer
}

// startCommand runs args in process with env as the environment and out as
// stdout (a syncBuffer when nil). Hooks.Grace is short, so that tests of
// what blocks on the way out end quickly.
func startCommand(t *testing.T, env map[string]string, out interface{ Write([]byte) (int, error) }, args ...string) *command {
	t.Helper()
	return startCommandWith(t, env, func(ios *IOStreams) {
		if out != nil {
			ios.Out = out
		}
	}, args...)
}

// startCommandWith is startCommand with the streams set up by setup.
func startCommandWith(t *testing.T, env map[string]string, setup func(*IOStreams), args ...string) *command {
	t.Helper()
	ctx, stop := context.WithCancelCause(context.Background())
	c := &command{stop: func() { stop(errInterrupted) }, done: make(chan int, 1), out: &syncBuffer{}, errOut: &syncBuffer{}}
	ios := &IOStreams{In: &bytes.Buffer{}, Out: c.out, ErrOut: c.errOut}
	setup(ios)
	f := &factory{IO: ios, Getenv: func(k string) string { return env[k] }, Hooks: TestHooks{Grace: 300 * time.Millisecond}}
	go func() { c.done <- run(ctx, f, args) }()
	t.Cleanup(func() {
		c.stop()
		select {
		case <-c.done:
		case <-time.After(20 * time.Second):
			t.Error("the command did not stop")
		}
	})
	return c
}

// wait returns the exit code, failing the test if the command does not end.
func (c *command) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-c.done:
		c.done <- code // for the cleanup
		return code
	case <-time.After(20 * time.Second):
		t.Fatalf("the command did not end; stderr:\n%s", c.errOut)
		return 0
	}
}

// waitFor polls until cond holds, failing the test after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var readyURL = regexp.MustCompile(`Listening for webhooks at (http://\S+) `)

// url waits for listen's ready line and returns its webhook URL.
func (c *command) url(t *testing.T) string {
	t.Helper()
	var m []string
	waitFor(t, "the ready line", func() bool {
		m = readyURL.FindStringSubmatch(c.errOut.String())
		return m != nil
	})
	return m[1]
}

// deliver posts a delivery signed with testSecret and returns the answer's status.
func deliver(t *testing.T, url, id, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := webhook.ParseSecret(testSecret)
	s.SignHeaders(req.Header, id, time.Now(), []byte(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func succeeded(id string) string {
	return `{"id":"` + id + `","model":"zeke/chaos-monkey","version":"v","status":"succeeded","input":{},"output":"ok","created_at":"2026-01-01T00:00:00Z","urls":{}}`
}

func failed(id string) string {
	return `{"id":"` + id + `","model":"zeke/chaos-monkey","version":"v","status":"failed","input":{},"error":"boom","created_at":"2026-01-01T00:00:00Z","urls":{}}`
}

var listenEnv = map[string]string{envWebhookSecret: testSecret}

// hungServer accepts connections and never says a word, as an SMTP server
// or an app that hangs does.
func hungServer(t *testing.T) (addr string, accepted <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{}, 10)
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			ch <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String(), ch
}

// blockedWriter is a stdout nobody reads: every write blocks until the
// test ends.
type blockedWriter struct {
	release chan struct{}
	writes  chan struct{}
}

func (w *blockedWriter) Write(p []byte) (int, error) {
	select {
	case w.writes <- struct{}{}:
	default:
	}
	<-w.release
	return len(p), nil
}

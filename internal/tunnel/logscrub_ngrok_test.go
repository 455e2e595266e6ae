package tunnel

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer collects the agent's logs, written from its goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// captureLogger logs everything, Debug included, to buf twice: as text,
// the way the CLI's -v does, and as JSON, which renders values by
// reflection rather than with fmt.
func captureLogger(buf *syncBuffer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(slog.NewMultiHandler(slog.NewTextHandler(buf, opts), slog.NewJSONHandler(buf, opts)))
}

// waitLog polls buf until it contains s.
func waitLog(t *testing.T, buf *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(buf.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q in:\n%s", s, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkLogs fails if the logs show token, and unless they hold every one
// of want, so that an empty log cannot pass.
func checkLogs(t *testing.T, logs, token string, want ...string) {
	t.Helper()
	for line := range strings.SplitSeq(logs, "\n") {
		if strings.Contains(line, token) {
			t.Errorf("log line shows the authtoken: %s", line)
		}
	}
	for _, w := range want {
		if !strings.Contains(logs, w) {
			t.Errorf("logs lack %q:\n%s", w, logs)
		}
	}
}

// The service quotes the authtoken back when it refuses it ("Your
// authtoken: ..."), and the agent logs the refusal: at Error level as
// "failed to reconnect session", and the whole auth response at Debug
// level. Neither may show the token.
func TestNgrokLogsHideAuthtokenOnRefusal(t *testing.T) {
	s := startFake(t)
	baseline := runtime.NumGoroutine()
	var buf syncBuffer
	const token = "2bogusTOKEN_notvalid"
	cfg := fakeConfig(s, token)
	cfg.Logger = captureLogger(&buf)
	openRefused(t, s, cfg, "ERR_NGROK_107")
	checkNoLeak(t, baseline) // the agent's goroutines, and so its logging, are done
	checkLogs(t, buf.String(), token,
		`msg="failed to reconnect session"`, `"msg":"failed to reconnect session"`,
		`msg="decoded response"`, "Your authtoken: [authtoken]")
}

// After a drop the agent reconnects on its own; a refusal then reaches
// only the logs, and the event for the drop.
func TestNgrokLogsHideAuthtokenOnReconnect(t *testing.T) {
	s := startFake(t)
	baseline := runtime.NumGoroutine()
	var buf syncBuffer
	events := make(chan Event, 16)
	cfg := fakeConfig(s, goodToken)
	cfg.Logger = captureLogger(&buf)
	cfg.OnEvent = func(e Event) { events <- e }
	tun, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.RefuseSessions("ERR_NGROK_107")
	s.DropSessions()
	waitLog(t, &buf, `"msg":"failed to reconnect session"`)
	// The refused reconnect already closed the session, so Close may report
	// that; what matters here is that it does not show the token.
	if err := tun.Close(); err != nil && strings.Contains(err.Error(), goodToken) {
		t.Errorf("Close error shows the authtoken: %v", err)
	}
	checkNoLeak(t, baseline)
	close(events)
	for e := range events {
		if e.Err != nil && strings.Contains(e.Err.Error(), goodToken) {
			t.Errorf("event %v shows the authtoken: %v", e.Kind, e.Err)
		}
	}
	checkLogs(t, buf.String(), goodToken,
		`msg="client session established"`, `msg="encode request"`,
		`msg="session closed, starting reconnect loop"`, `msg="failed to reconnect session"`,
		"Your authtoken: [authtoken]")
}

package cli

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/delivery"
	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/webhook"
)

func TestReplayResign(t *testing.T) {
	old, _ := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	const current = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := []byte{'{', '}', 0xff} // recorded as body_base64
	d := listener.Delivery{WebhookID: "msg_1", ReceivedAt: now.Add(-time.Hour), Verdict: listener.Verified, Status: 200,
		Method: "POST", Path: "/hook/x", Header: http.Header{"Content-Type": {"application/json"}}, Body: body, Size: int64(len(body))}
	old.SignHeaders(d.Header, "msg_1", now.Add(-time.Hour), d.Body)
	line, err := delivery.NewRecord(d).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	if err := os.WriteFile(path, line, 0o600); err != nil {
		t.Fatal(err)
	}
	type got struct {
		header http.Header
		body   string
	}
	reqs := make(chan got, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs <- got{r.Header.Clone(), string(b)}
	}))
	defer srv.Close()
	io, out, errOut := testStreams()
	opts := &replayOptions{IO: io, Now: func() time.Time { return now }, File: path, Concurrency: 1, Repeat: 1,
		To: srv.URL, Resign: true, Getenv: func(k string) string { return map[string]string{envWebhookSecret: current}[k] }}
	if err := replayRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 1 {
		t.Fatalf("target got %d requests", len(reqs))
	}
	g := <-reqs
	if g.body != string(body) {
		t.Errorf("body %q, want the recorded bytes", g.body)
	}
	s, _ := webhook.ParseSecret(current)
	if err := s.Verify(g.header, []byte(g.body), now); err != nil {
		t.Errorf("re-signed delivery: %v", err)
	}
	if ts := g.header.Get(webhook.HeaderTimestamp); ts != strconv.FormatInt(now.Unix(), 10) {
		t.Errorf("webhook-timestamp %s, want now", ts)
	}
	if id := g.header.Get(webhook.HeaderID); id != "msg_1" {
		t.Errorf("webhook-id %s", id)
	}
	if !strings.HasPrefix(out.String(), "--> msg_1  -  <-- 200 OK (") || errOut.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	if strings.Contains(out.String()+errOut.String(), "C2FVsBQ") {
		t.Error("the secret was printed")
	}
}

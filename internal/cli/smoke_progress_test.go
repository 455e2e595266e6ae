package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/smoke"
	"github.com/notifier-dev/notifier/internal/watch"
)

func TestSmokeProgressLines(t *testing.T) {
	ios, _, errOut := testStreams()
	p := newSmokeProgress(newProgress(ios), 3)
	p.done(smoke.Record{Index: 1, ID: "a", Status: "succeeded", Total: 1200 * time.Millisecond, Via: watch.ViaWebhook})
	p.done(smoke.Record{Index: 2, ID: "b", Status: "failed", Error: "boom\nline two", Total: time.Second, Via: watch.ViaPoll})
	p.finish()
	want := "[1/3] a succeeded in 1.2s\n[2/3] b failed in 1s (by poll: webhook not received): boom line two\n"
	if got := errOut.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestSmokeProgressLiveLine(t *testing.T) {
	ios, _, errOut := testStreams()
	ios.ErrTTY = true
	p := newSmokeProgress(newProgress(ios), 100)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.done(smoke.Record{Index: 1, ID: "a", Status: "succeeded", CreatedAt: t0, CompletedAt: t0.Add(4100 * time.Millisecond), Total: 4100 * time.Millisecond})
	p.done(smoke.Record{Index: 2, ID: "b", Status: "failed", CreatedAt: t0, CompletedAt: t0.Add(time.Second), Total: time.Second})
	p.finish()
	got := errOut.String()
	if !strings.HasSuffix(got, "\r\033[K2/100 done, 1 failed, p95 4.1s\n") || strings.Count(got, "\r\033[K") != 2 {
		t.Errorf("live line: %q", got)
	}
}

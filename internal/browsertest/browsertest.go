// Package browsertest starts headless Chromium for tests that drive a page
// in a real browser (with chromedp). Where Chromium is not installed the
// test skips with a message, except in CI (CI=true), where .ci/run installs
// it and its absence fails the test.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds everything one browser does in a test.
const Timeout = 90 * time.Second

// names are the Chromium executables looked for on PATH.
var names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ExecPath finds Chromium, or ends the test: a skip outside CI, a failure
// in CI.
func ExecPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	const msg = "no Chromium on PATH (install Debian's chromium package, or set CHROMIUM=/path/to/chrome)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + ": browser tests must run in CI; .ci/run installs it")
	}
	t.Skip(msg + ": skipping the browser test")
	return ""
}

// New starts a headless browser with a 1280×800 window for the test and
// returns the context of its first tab; it is stopped when the test ends.
func New(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ExecPath(t)),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox refuses to start
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-gpu", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, Timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

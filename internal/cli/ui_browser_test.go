package cli

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/notifier-dev/notifier/internal/browsertest"
)

var inspectorLine = regexp.MustCompile(`(?m)^inspector: (http://\S+)$`)

// TestRunUIInBrowser is the whole path a user takes: run --simulate --ui
// creates an image prediction through replicate-go on the simulator, whose
// signed webhooks reach the listener, whose deliveries reach the page open
// in a browser, which shows the output image the simulator serves.
func TestRunUIInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	c := startCommand(t, nil, nil, "run", "--simulate", "--ui-addr", "127.0.0.1:0",
		"--events", "start,completed", "acme/image", "width=128", "height=96")
	var m []string
	waitFor(t, "the inspector line", func() bool {
		m = inspectorLine.FindStringSubmatch(c.errOut.String())
		return m != nil
	})
	poll := func(expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v\nstderr:\n%s", expr, err, c.errOut)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(m[1])); err != nil {
		t.Fatal(err)
	}
	poll(`[...document.querySelectorAll("#rows tr")].some(r => r.textContent.includes("completed"))`)
	poll(`document.getElementById("status").textContent.includes("the run is over")`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#rows tr:first-child td`))); err != nil {
		t.Fatal(err)
	}
	poll(`(() => { const i = document.querySelector("#outputs img"); return i && i.complete && i.naturalWidth === 128 && i.naturalHeight === 96; })()`)
	tl, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ol.timeline")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"created", "webhook start", "started", "completed", "webhook completed"} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline %q lacks %q", tl, want)
		}
	}
	c.stop()
	if code := c.wait(t); code != exitOK {
		t.Errorf("exit %d after Ctrl-C, want the prediction's 0; stderr:\n%s", code, c.errOut)
	}
}

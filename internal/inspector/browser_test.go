package inspector

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/notifier-dev/notifier/internal/browsertest"
	"github.com/notifier-dev/notifier/internal/delivery"
)

// screenshots, when set, is the directory the browser tests write the
// screenshots of docs/ into: go test ./internal/inspector -run Browser -screenshots ../../docs
var screenshots = flag.String("screenshots", "", "write the inspector's screenshots (list, detail) into this directory")

// open loads the page and waits for its live stream.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(url))
	poll(t, ctx, `document.getElementById("conn").textContent === "live"`)
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// poll waits until a JavaScript expression is true in the page.
func poll(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

func rowsShown(n int) string {
	return fmt.Sprintf(`[...document.querySelectorAll("#rows tr")].filter(r => !r.hidden).length === %d`, n)
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if *screenshots == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The list fills as deliveries arrive; a delivery's detail shows its
// headers, body, timeline and outputs, and an image output renders.
func TestBrowserListAndDetail(t *testing.T) {
	ctx := browsertest.New(t)
	r := newRig(t, Config{})
	img := pngServer(t)
	open(t, ctx, r.ui.URL())

	r.send("msg_2pQz1start", pred("r8x2k9flux", "black-forest-labs/flux-schnell", "starting", nil, "", nil), false)
	poll(t, ctx, rowsShown(1))
	done := pred("r8x2k9flux", "black-forest-labs/flux-schnell", "succeeded",
		[]string{img.URL + "/out-0.png"}, "Using seed: 42\n100%|██████████| 4/4", nil)
	r.send("msg_2pQz1done", done, false)
	poll(t, ctx, rowsShown(2))
	r.send("msg_3llama", pred("q1w2e3llama", "meta/meta-llama-3-8b-instruct", "succeeded",
		[]string{"The", " sea", " is", " calm", "."}, "", nil), false)
	r.send("msg_4chaos", pred("z9chaos", "zeke/chaos-monkey", "failed", nil, "chaos!", "the monkey pulled the plug"), false)
	r.send("msg_5forged", pred("z9chaos", "zeke/chaos-monkey", "succeeded", "ok", "", nil), true)
	r.send("msg_4chaos", pred("z9chaos", "zeke/chaos-monkey", "failed", nil, "chaos!", "the monkey pulled the plug"), false)
	poll(t, ctx, rowsShown(6))
	if got := text(t, ctx, `#rows tr[data-seq="5"]`); !strings.Contains(got, "rejected") || !strings.Contains(got, "bad signature") {
		t.Errorf("the forged delivery's row says %q, want rejected, bad signature", got)
	}
	if got := text(t, ctx, `#rows tr[data-seq="6"]`); !strings.Contains(got, "duplicate") {
		t.Errorf("the repeated delivery's row says %q, want duplicate", got)
	}
	screenshot(t, ctx, "inspector-list.png")

	do(t, ctx, chromedp.Click(chromedp.CSS(`#rows tr[data-seq="2"] td`)), chromedp.WaitVisible(chromedp.ID("headers")))
	headers := text(t, ctx, "#headers")
	for _, want := range []string{"Webhook-Id", "msg_2pQz1done", "Webhook-Signature", "v1,", "Replicate-Webhook/1.0"} {
		if !strings.Contains(headers, want) {
			t.Errorf("headers %q lack %q", headers, want)
		}
	}
	if strings.Contains(headers, strings.TrimPrefix(testSecret, "whsec_")) {
		t.Error("the page shows the signing secret")
	}
	if body := text(t, ctx, "#body-pretty"); !strings.Contains(body, `"status": "succeeded"`) || !strings.Contains(body, `"id": "r8x2k9flux"`) {
		t.Errorf("pretty body %q", body)
	}
	if raw := eval[string](t, ctx, `document.getElementById("body-raw").textContent`); raw != done {
		t.Errorf("raw body %q is not the body as received", raw)
	}
	tl := text(t, ctx, "ol.timeline")
	for _, want := range []string{"created", "webhook start", "started", "webhook completed", "completed"} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline %q lacks %q", tl, want)
		}
	}
	if logs := text(t, ctx, "#logs"); !strings.Contains(logs, "Using seed: 42") {
		t.Errorf("logs %q", logs)
	}
	poll(t, ctx, `(() => { const i = document.querySelector("#outputs img"); return i && i.complete && i.naturalWidth === 256 && i.naturalHeight === 160; })()`)
	eval[chromedp.Void](t, ctx, `document.getElementById("detail").scrollTop = document.getElementById("prediction-heading").offsetTop - 120`)
	screenshot(t, ctx, "inspector-detail.png")

	do(t, ctx, chromedp.Click(chromedp.CSS(`#rows tr[data-seq="3"] td`)))
	poll(t, ctx, `(document.querySelector("#outputs .output-text") || {}).textContent === "The sea is calm."`)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#rows tr[data-seq="4"] td`)))
	poll(t, ctx, `document.getElementById("detail").textContent.includes("the monkey pulled the plug")`)

	// An audio output plays inline: the browser reads its length.
	r.send("msg_tts", pred("t7speech", "jaaari/kokoro-82m", "succeeded", img.URL+"/speech.wav", "", nil), false)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#rows tr[data-seq="7"] td`)))
	poll(t, ctx, `(() => { const a = document.querySelector("#outputs audio"); return a && a.readyState >= 1 && Math.abs(a.duration - 0.5) < 0.01; })()`)
}

// Nothing in a delivery runs as script: not in the body, the headers, the
// logs, the output or the error, accepted or rejected.
func TestBrowserHostileDelivery(t *testing.T) {
	ctx := browsertest.New(t)
	r := newRig(t, Config{})
	var dialogs atomic.Int32
	events := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range events {
			if err != nil {
				return
			}
			dialogs.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	open(t, ctx, r.ui.URL())

	hostile := `<script>window.__pwned=1;alert(1)</script><img src=x onerror="window.__pwned=2;alert(2)">`
	body := pred("x1<b>evil</b>", `<svg onload="window.__pwned=3">/m`, "succeeded",
		[]string{hostile, `javascript:window.__pwned=4`}, hostile, nil)
	body = strings.Replace(body, `"https://replicate.com/p/`, `"javascript:window.__pwned=5;//`, 1)
	r.send(`id-<script>window.__pwned=6</script>`, body, false)
	failed := pred("x2", "m/"+hostile, "failed", map[string]any{"html": hostile, "file": "javascript:alert(7)"}, "", hostile)
	r.send("msg_failed", failed, false)
	r.send("msg_rejected", `{"id":"x3","status":"succeeded","output":"`+strings.ReplaceAll(hostile, `"`, `\"`)+`"}`, true)
	poll(t, ctx, rowsShown(3))
	for seq := 1; seq <= 3; seq++ {
		do(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#rows tr[data-seq="%d"] td`, seq))))
		poll(t, ctx, fmt.Sprintf(`document.querySelector("#detail h2") && document.querySelector("#detail h2").textContent.startsWith("Delivery #%d")`, seq))
		if got := eval[string](t, ctx, `document.getElementById("body-raw").textContent`); !strings.Contains(got, "<script>window.__pwned=1") {
			t.Errorf("delivery %d: the raw body is not shown as text: %q", seq, got)
		}
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`#rows tr[data-seq="1"] td`)))
	poll(t, ctx, `document.querySelector("#detail h2").textContent.startsWith("Delivery #1")`)
	if got := text(t, ctx, "#logs"); got != hostile {
		t.Errorf("logs shown as %q, want the text %q", got, hostile)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#detail script, #detail svg, #detail img, #rows img, #rows script, a[href^='javascript:']").length`); n != 0 {
		t.Errorf("%d elements were made from the delivery's text", n)
	}
	if p := eval[string](t, ctx, `String(window.__pwned)`); p != "undefined" {
		t.Errorf("script from a delivery ran: window.__pwned = %s", p)
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("script from a delivery opened %d dialogs", n)
	}
}

// Replay sends a delivery to the forward target, re-signed, or to a URL
// typed in, as received.
func TestBrowserReplay(t *testing.T) {
	ctx := browsertest.New(t)
	fwd, other := newTarget(t), newTarget(t)
	// Re-signing happens "a minute later", so its timestamp and signature
	// differ from the original's (which has a resolution of a second).
	later := func() time.Time { return time.Now().Add(time.Minute) }
	r := newRig(t, Config{ForwardTo: fwd.URL + "/webhooks", ForwardShown: fwd.URL + "/webhooks", Now: later})
	open(t, ctx, r.ui.URL())
	body := pred("p1", "zeke/chaos-monkey", "succeeded", "done", "", nil)
	r.send("msg_replay", body, false)
	poll(t, ctx, rowsShown(1))
	do(t, ctx, chromedp.Click(chromedp.CSS(`#rows tr[data-seq="1"] td`)), chromedp.WaitVisible(chromedp.ID("replay")))
	original := eval[string](t, ctx, `[...document.querySelectorAll("#headers tr")].find(r => r.cells[0].textContent === "Webhook-Signature").cells[1].textContent`)

	do(t, ctx, chromedp.Click(chromedp.ID("replay")))
	poll(t, ctx, `document.getElementById("replay-answer").textContent.startsWith("204")`)
	got := fwd.requests()
	if len(got) != 1 {
		t.Fatalf("the forward target got %d requests, want 1", len(got))
	}
	if string(got[0].body) != body {
		t.Errorf("replayed body %q, want the body as received", got[0].body)
	}
	if err := r.secret.Verify(got[0].header, got[0].body, time.Now()); err != nil {
		t.Errorf("the re-signed replay does not verify: %v", err)
	}
	if got[0].header.Get("Webhook-Id") != "msg_replay" || got[0].header.Get("Webhook-Signature") == original {
		t.Errorf("re-signed replay has webhook-id %q and signature %q (original %q)", got[0].header.Get("Webhook-Id"), got[0].header.Get("Webhook-Signature"), original)
	}

	do(t, ctx, chromedp.SendKeys(chromedp.ID("replay-to"), other.URL+"/typed"), chromedp.Click(chromedp.ID("replay-resign")), chromedp.Click(chromedp.ID("replay")))
	poll(t, ctx, `document.getElementById("replay-answer").textContent.includes("/typed")`)
	got = other.requests()
	if len(got) != 1 || got[0].header.Get("Webhook-Signature") != original || string(got[0].body) != body {
		t.Fatalf("the typed-in target got %d requests; want 1, as received", len(got))
	}
	if n := len(fwd.requests()); n != 1 {
		t.Errorf("the forward target got %d requests, want still 1", n)
	}

	// Copy as curl, to the URL typed in; the record downloads as a line
	// notifier replay reads.
	do(t, ctx, chromedp.Click(chromedp.ID("copy-curl")))
	poll(t, ctx, `document.getElementById("curl").value.startsWith("curl -sS -X 'POST' '`+other.URL+`/typed'")`)
	if cmd := eval[string](t, ctx, `document.getElementById("curl").value`); !strings.Contains(cmd, "-H 'Webhook-Id: msg_replay'") || !strings.Contains(cmd, "--data-binary '"+body+"'") {
		t.Errorf("curl command %q", cmd)
	}
	line, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById("download").href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := delivery.Parse([]byte(line))
	if raw, _ := rec.RawBody(); err != nil || string(raw) != body || rec.Headers.Get("Webhook-Signature") != original {
		t.Errorf("downloaded record %q: %v", line, err)
	}
}

// Another site open in the same browser cannot replay or clear: its
// requests reach the inspector and are refused.
func TestBrowserCrossSiteRefused(t *testing.T) {
	ctx := browsertest.New(t)
	fwd := newTarget(t)
	r := newRig(t, Config{ForwardTo: fwd.URL, ForwardShown: fwd.URL})
	r.send("msg_1", pred("p1", "zeke/chaos-monkey", "succeeded", "done", "", nil), false)
	base := strings.TrimSuffix(r.ui.URL(), "/")
	attack := fmt.Sprintf(`<!doctype html><title>cat pictures</title>
<form id="f" method="POST" action="%[1]s/api/clear" target="sink"><input name="x" value="1"></form>
<iframe name="sink"></iframe>
<script>
const replay = "%[1]s/api/deliveries/1/replay";
const body = JSON.stringify({to: "%[2]s/stolen", resign: true});
document.querySelector("iframe").addEventListener("load", () => { window.formDone = true; });
document.getElementById("f").submit();
Promise.allSettled([
  fetch(replay, {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body}),
  fetch(replay, {method: "POST", headers: {"Content-Type": "application/json", "X-Notifier-Token": "guess"}, body}),
  fetch("%[1]s/api/clear", {method: "POST", mode: "no-cors"}),
]).then(() => { window.fetchesDone = true; });
</script>`, base, fwd.URL)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(attack))
	}))
	t.Cleanup(evil.Close)

	do(t, ctx, chromedp.Navigate(evil.URL))
	poll(t, ctx, `window.fetchesDone === true && window.formDone === true`)
	for deadline := time.Now().Add(10 * time.Second); r.ui.refused.Load() < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the inspector refused %d requests; want the 2 simple cross-site POSTs and the form (the preflighted one never comes)", r.ui.refused.Load())
		}
	}
	if n := len(fwd.requests()); n != 0 {
		t.Errorf("a cross-site request replayed a delivery: the target got %d requests", n)
	}
	if n := len(r.ui.store.summaries()); n != 1 {
		t.Errorf("a cross-site request cleared the list: %d deliveries left", n)
	}
}

// The filters narrow the list by verdict, status and model; clear empties it.
func TestBrowserFilterAndClear(t *testing.T) {
	ctx := browsertest.New(t)
	r := newRig(t, Config{})
	r.send("a", pred("p1", "zeke/chaos-monkey", "succeeded", "ok", "", nil), false)
	r.send("b", pred("p2", "zeke/chaos-monkey", "failed", nil, "", "boom"), false)
	r.send("c", pred("p3", "acme/echo", "succeeded", "hi", "", nil), false)
	r.send("d", pred("p4", "acme/echo", "succeeded", "hi", "", nil), true)
	open(t, ctx, r.ui.URL())
	poll(t, ctx, rowsShown(4))
	set := func(id, v string) {
		eval[chromedp.Void](t, ctx, fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event("change")); })()`, id, v))
	}
	set("f-verdict", "rejected")
	poll(t, ctx, rowsShown(1))
	set("f-verdict", "")
	set("f-status", "failed")
	poll(t, ctx, rowsShown(1))
	set("f-status", "succeeded")
	set("f-model", "acme/echo")
	poll(t, ctx, rowsShown(2))
	if got := text(t, ctx, "#count"); got != "2 of 4 deliveries" {
		t.Errorf("count says %q", got)
	}
	do(t, ctx, chromedp.Click(chromedp.ID("clear")))
	poll(t, ctx, `document.querySelectorAll("#rows tr").length === 0`)
	if n := len(r.ui.store.summaries()); n != 0 {
		t.Errorf("%d deliveries kept after clear", n)
	}
	r.send("e", pred("p5", "acme/echo", "succeeded", "again", "", nil), false)
	poll(t, ctx, `document.querySelectorAll("#rows tr").length === 1`)
}

package inspector

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// rig is an inspector fed by a real listener, the way listen --ui feeds
// it: signed requests go over HTTP to the listener, which verifies them
// and hands every delivery, rejected ones too, to the inspector.
type rig struct {
	t      *testing.T
	ui     *Inspector
	secret webhook.Secret
	hook   string // the listener's webhook URL
	l      *listener.Listener
	// added receives once for each delivery handed to the inspector.
	added chan struct{}
}

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	secret, err := webhook.ParseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = "127.0.0.1:0"
	if cfg.Secret == nil {
		cfg.Secret = &secret
	}
	ui, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, ui: ui, secret: secret, added: make(chan struct{}, 64)}
	r.l, err = listener.New(listener.Config{Secret: &secret, Path: "/hook", OnDelivery: func(d listener.Delivery) {
		ui.Add(d)
		r.added <- struct{}{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.l)
	r.hook = srv.URL + "/hook"
	ui.SetWebhookURL(r.hook)
	t.Cleanup(func() {
		srv.Close()
		_ = r.l.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ui.Close(ctx); err != nil {
			t.Errorf("closing the inspector: %v", err)
		}
	})
	return r
}

// send posts body to the listener, signed with the rig's secret (or with
// a wrong signature when bad), waits until the inspector has it, and
// returns the listener's status.
func (r *rig) send(id, body string, bad bool) int {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.hook, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Replicate-Webhook/1.0")
	r.secret.SignHeaders(req.Header, id, time.Now(), []byte(body))
	if bad {
		req.Header.Set(webhook.HeaderSignature, "v1,"+strings.Repeat("A", 43)+"=")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	select {
	case <-r.added:
		return resp.StatusCode
	case <-time.After(10 * time.Second):
		r.t.Fatalf("delivery %s never reached the inspector", id)
		return 0
	}
}

// pred is a prediction body as Replicate sends it.
func pred(id, model, status string, output any, logs string, errText any) string {
	created := time.Now().UTC().Add(-3 * time.Second)
	p := map[string]any{
		"id": id, "model": model, "version": "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
		"status": status, "input": map[string]any{"prompt": "a lighthouse at dusk"},
		"output": output, "logs": logs, "error": errText,
		"created_at": created.Format(time.RFC3339Nano),
		"urls":       map[string]string{"get": "https://api.replicate.com/v1/predictions/" + id, "web": "https://replicate.com/p/" + id},
	}
	if status != "starting" {
		p["started_at"] = created.Add(500 * time.Millisecond).Format(time.RFC3339Nano)
	}
	switch status {
	case "succeeded", "failed", "canceled":
		p["completed_at"] = time.Now().UTC().Add(-2 * time.Millisecond).Format(time.RFC3339Nano)
		p["metrics"] = map[string]any{"predict_time": 2.41}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as Replicate sends it: < and > as they are
	if err := enc.Encode(p); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// pngServer serves a PNG at /out-0.png and a WAV at /speech.wav, as
// Replicate's file delivery host serves an image or speech model's output.
func pngServer(t *testing.T) *httptest.Server {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 160))
	for x := range 256 {
		for y := range 160 {
			img.Set(x, y, color.RGBA{R: uint8(40 + x/2), G: uint8(60 + y), B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	wav := wavSilence(8000, 4000) // half a second
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/out-0.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(buf.Bytes())
		case "/speech.wav":
			w.Header().Set("Content-Type", "audio/wav")
			http.ServeContent(w, r, "speech.wav", time.Time{}, bytes.NewReader(wav))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// wavSilence is a mono 16-bit PCM WAV file of n silent samples.
func wavSilence(rate, n int) []byte {
	var b bytes.Buffer
	le := func(v uint32, size int) {
		for i := range size {
			b.WriteByte(byte(v >> (8 * i)))
		}
	}
	b.WriteString("RIFF")
	le(uint32(36+2*n), 4)
	b.WriteString("WAVEfmt ")
	le(16, 4)
	le(1, 2) // PCM
	le(1, 2) // mono
	le(uint32(rate), 4)
	le(uint32(2*rate), 4)
	le(2, 2)
	le(16, 2)
	b.WriteString("data")
	le(uint32(2*n), 4)
	b.Write(make([]byte, 2*n))
	return b.Bytes()
}

// target records what a replay or forward target receives.
type target struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
}

type received struct {
	header http.Header
	body   []byte
}

func newTarget(t *testing.T) *target {
	t.Helper()
	tg := &target{}
	tg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		tg.mu.Lock()
		tg.reqs = append(tg.reqs, received{r.Header.Clone(), b})
		tg.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(tg.Close)
	return tg
}

func (tg *target) requests() []received {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]received(nil), tg.reqs...)
}

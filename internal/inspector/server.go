// Package inspector is the local web page of listen --ui and run --ui: every
// delivery, live (server-sent events), with its headers, body, verdict,
// prediction timeline and outputs, and actions to replay, copy as curl,
// download and clear.
//
// The page is built from the standard library and files embedded in the
// binary; it loads nothing from elsewhere, and its Content-Security-Policy
// allows script from its own origin only. Everything from a delivery is put
// into the page as text, never as HTML. Requests that change state (replay,
// clear) must carry a token that only the page has, and come from the
// page's own origin; every request must name the inspector's own host, so
// that another site cannot read it through DNS rebinding.
package inspector

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/notifier-dev/notifier/internal/delivery"
	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// DefaultAddr is where the page is served unless told otherwise.
const DefaultAddr = "127.0.0.1:4141"

// tokenHeader carries the page's token on requests that change state.
const tokenHeader = "X-Notifier-Token"

// csp lets the page run its own script and nothing else. Images, audio and
// video may come from anywhere: a prediction's file outputs live on
// Replicate's delivery host, and media cannot run script.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data: http: https:; media-src 'self' data: http: https:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

//go:embed assets
var assets embed.FS

// pageTemplate is parsed on first use: most commands never serve the page.
var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(assets, "assets/index.html"))
})

// Config configures an Inspector. Zero fields take the defaults.
type Config struct {
	// Addr is the address to serve on (default DefaultAddr). A taken port
	// is an error, never another port.
	Addr string
	// WebhookURL is the listener's webhook URL: copy as curl sends there
	// unless another URL is given. SetWebhookURL sets it once known.
	WebhookURL string
	// ForwardTo is --forward-to: where a replay goes unless another URL
	// is given. ForwardShown is it as the page shows it (no password).
	ForwardTo, ForwardShown string
	// Secret re-signs replays; nil when there is none, and a replay can
	// only be sent as received.
	Secret *webhook.Secret
	// Timeout bounds a replay (default delivery.DefaultTimeout).
	Timeout time.Duration
	// MaxEntries and MaxBodyBytes bound what the page keeps (defaults
	// DefaultMaxEntries and DefaultMaxBodyBytes); older deliveries go first.
	MaxEntries   int
	MaxBodyBytes int64
	// Now is the clock of re-signing. Default time.Now.
	Now func() time.Time
}

// Inspector serves the page. Create it with Start; stop it with Close.
type Inspector struct {
	cfg    Config
	store  *store
	token  string
	url    string
	host   string // the Host header the page is reached with, besides localhost and IPs
	srv    *http.Server
	done   chan struct{}
	client *http.Client
	hook   atomic.Pointer[string] // the webhook URL

	refused atomic.Int64 // requests guard turned away
}

// Start listens on cfg.Addr and serves the page.
func Start(cfg Config) (*Inspector, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = delivery.DefaultTimeout
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 32)
	_, _ = rand.Read(tok) // never fails (Go 1.24+)
	i := &Inspector{cfg: cfg, store: newStore(cfg.MaxEntries, cfg.MaxBodyBytes), token: hex.EncodeToString(tok),
		host: host, done: make(chan struct{}), client: delivery.NewClient(cfg.Timeout)}
	i.hook.Store(&cfg.WebhookURL)
	i.url = "http://" + browserAddr(ln.Addr().(*net.TCPAddr)) + "/"
	i.srv = &http.Server{Handler: i.handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		defer close(i.done)
		_ = i.srv.Serve(ln)
	}()
	return i, nil
}

// browserAddr is the address a browser on this machine opens: a wildcard
// bind is reached on loopback.
func browserAddr(a *net.TCPAddr) string {
	ip := a.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(a.Port))
}

// URL is the page's address, e.g. http://127.0.0.1:4141/.
func (i *Inspector) URL() string { return i.url }

// SetWebhookURL sets the listener's URL, known once it is open.
func (i *Inspector) SetWebhookURL(u string) { i.hook.Store(&u) }

func (i *Inspector) webhookURL() string { return *i.hook.Load() }

// SetStatus shows a line about the session at the top of the page, e.g.
// that the run is over.
func (i *Inspector) SetStatus(text string) { i.store.setStatus(text) }

// Loopback reports whether only this machine can reach the page.
func (i *Inspector) Loopback() bool {
	ip := net.ParseIP(i.host)
	return i.host == "localhost" || ip != nil && ip.IsLoopback()
}

// Add shows a delivery.
func (i *Inspector) Add(d listener.Delivery) { i.store.add(delivery.NewRecord(d), false) }

// LoadHistory shows what a record file holds from earlier sessions: its
// latest deliveries within the page's bounds, read a line at a time, so
// that a large file costs no more memory than the page keeps. A malformed
// file shows nothing of it.
func (i *Inspector) LoadHistory(path string) error {
	var kept []delivery.Record
	var held int64
	size := func(rec delivery.Record) int64 {
		if rec.Body != nil {
			return int64(len(*rec.Body))
		}
		return int64(len(rec.BodyBase64))
	}
	err := delivery.Scan(path, func(rec delivery.Record) {
		kept = append(kept, rec)
		held += size(rec)
		for len(kept) > 1 && (len(kept) > i.cfg.MaxEntries || held > i.cfg.MaxBodyBytes) {
			held -= size(kept[0])
			kept[0] = delivery.Record{}
			kept = kept[1:]
		}
	})
	if err != nil {
		return err
	}
	for _, rec := range kept {
		i.store.add(rec, true)
	}
	return nil
}

// Forwarded shows a forward's answer beside the delivery it forwarded.
func (i *Inspector) Forwarded(f delivery.Forwarded, timeout time.Duration) {
	i.store.forwarded(f.WebhookID, answer(i.cfg.ForwardShown, f.Result, timeout))
}

func answer(target string, r delivery.Result, timeout time.Duration) Answer {
	return Answer{Target: target, Status: r.Status, DurationMS: float64(r.Duration.Microseconds()) / 1000, Error: r.Describe(timeout)}
}

// Close ends the open pages' streams and stops serving, within ctx.
func (i *Inspector) Close(ctx context.Context) error {
	i.store.close()
	err := i.srv.Shutdown(ctx)
	if err != nil {
		_ = i.srv.Close()
	}
	<-i.done
	return err
}

func (i *Inspector) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", i.index)
	mux.Handle("GET /assets/", http.FileServerFS(assets))
	mux.HandleFunc("GET /events", i.events)
	mux.HandleFunc("GET /api/config", i.config)
	mux.HandleFunc("GET /api/deliveries", i.list)
	mux.HandleFunc("GET /api/deliveries/{seq}", i.withEntry(i.detail))
	mux.HandleFunc("GET /api/deliveries/{seq}/record", i.withEntry(i.record))
	mux.HandleFunc("GET /api/deliveries/{seq}/curl", i.withEntry(i.curl))
	mux.HandleFunc("POST /api/deliveries/{seq}/replay", i.guard(i.withEntry(i.replay)))
	mux.HandleFunc("POST /api/clear", i.guard(i.clear))
	return i.secure(mux)
}

// secure sets the headers every answer carries and refuses requests that
// name another host (DNS rebinding).
func (i *Inspector) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !i.hostAllowed(r.Host) {
			http.Error(w, "notifier inspector: unknown host "+strconv.Quote(r.Host)+"; open "+i.url, http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed accepts an IP address, localhost, or the host the user bound
// the page to by name.
func (i *Inspector) hostAllowed(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == "localhost" || net.ParseIP(strings.Trim(host, "[]")) != nil || host != "" && host == strings.ToLower(i.host)
}

// guard lets through only requests from the page itself: they carry its
// token, in a header no other site can set without the page's consent
// (which it never gives), and do not come from another origin.
func (i *Inspector) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if why := i.foreign(r); why != "" {
			i.refused.Add(1)
			jsonError(w, http.StatusForbidden, "refused: "+why)
			return
		}
		next(w, r)
	}
}

// foreign says why a request that would change state is not the page's
// own, "" when it is.
func (i *Inspector) foreign(r *http.Request) string {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return "the request came from another site (" + site + ")"
	}
	if origin := r.Header.Get("Origin"); origin != "" && origin+"/" != i.url && origin != "http://"+r.Host {
		return "the request came from another origin"
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(tokenHeader)), []byte(i.token)) != 1 {
		return "missing or wrong page token; reload the inspector page"
	}
	return ""
}

// withEntry finds the delivery a path names.
func (i *Inspector) withEntry(next func(http.ResponseWriter, *http.Request, *entry)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
		if err != nil {
			jsonError(w, http.StatusBadRequest, "not a delivery number")
			return
		}
		e, ok := i.store.get(seq)
		if !ok {
			jsonError(w, http.StatusNotFound, "no such delivery: it was cleared, or is older than the page keeps")
			return
		}
		next(w, r, e)
	}
}

func (i *Inspector) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = pageTemplate().Execute(w, struct{ Token string }{i.token})
}

// Config is what the page needs to know of the session.
type pageConfig struct {
	WebhookURL string `json:"webhook_url"`
	ForwardTo  string `json:"forward_to,omitempty"`
	CanResign  bool   `json:"can_resign"`
	Status     string `json:"status,omitempty"` // SetStatus's line
}

func (i *Inspector) config(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, pageConfig{WebhookURL: i.webhookURL(), ForwardTo: i.cfg.ForwardShown,
		CanResign: i.cfg.Secret != nil, Status: i.store.currentStatus()})
}

func (i *Inspector) list(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, i.store.summaries())
}

func (i *Inspector) detail(w http.ResponseWriter, _ *http.Request, e *entry) {
	var related []*entry
	if id := e.summary.PredictionID; id != "" {
		related = i.store.related(id)
	}
	writeJSON(w, http.StatusOK, detail(e, related))
}

// record downloads the delivery as a record file of one line, which
// notifier replay reads.
func (i *Inspector) record(w http.ResponseWriter, _ *http.Request, e *entry) {
	line, err := e.rec.Marshal()
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="delivery-%d.jsonl"`, e.seq))
	_, _ = w.Write(line)
}

func (i *Inspector) curl(w http.ResponseWriter, r *http.Request, e *entry) {
	to := r.URL.Query().Get("to")
	if to == "" {
		to = i.webhookURL()
	}
	if _, err := delivery.ParseTarget(to); err != nil {
		jsonError(w, http.StatusBadRequest, "invalid URL: "+err.Error())
		return
	}
	cmd, err := curlCommand(e.rec, to)
	if err != nil {
		jsonError(w, http.StatusConflict, err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(cmd))
}

// replayRequest is the body of POST /api/deliveries/{seq}/replay.
type replayRequest struct {
	To     string `json:"to"`     // "" for the forward target
	Resign bool   `json:"resign"` // sign afresh: same webhook-id, new timestamp
}

func (i *Inspector) replay(w http.ResponseWriter, r *http.Request, e *entry) {
	var req replayRequest
	if err := decodeJSON(r, &req); err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	to, shown := req.To, req.To
	if to == "" {
		to, shown = i.cfg.ForwardTo, i.cfg.ForwardShown
	}
	if to == "" {
		jsonError(w, http.StatusBadRequest, "type a URL to replay to: this session has no --forward-to")
		return
	}
	u, err := delivery.ParseTarget(to)
	if err != nil {
		jsonError(w, http.StatusBadRequest, "invalid URL: "+err.Error())
		return
	}
	if req.To != "" {
		shown = u.Redacted()
	}
	if e.rec.BodyTruncated || e.rec.Body == nil && e.rec.BodyBase64 == "" {
		jsonError(w, http.StatusConflict, "only a prefix of this delivery's body was kept (it was rejected): it cannot be replayed")
		return
	}
	if req.Resign && i.cfg.Secret == nil {
		jsonError(w, http.StatusBadRequest, "no signing secret in this session: replay it as received")
		return
	}
	body, _ := e.rec.RawBody()
	header := e.rec.Headers.Clone()
	if header == nil {
		header = http.Header{}
	}
	if req.Resign {
		i.cfg.Secret.SignHeaders(header, e.rec.WebhookID, i.cfg.Now(), body)
	}
	ctx, cancel := context.WithTimeout(r.Context(), i.cfg.Timeout)
	defer cancel()
	res := delivery.Send(ctx, i.client, e.rec.Method, u.String(), header, body)
	writeJSON(w, http.StatusOK, answer(shown, res, i.cfg.Timeout))
}

func (i *Inspector) clear(w http.ResponseWriter, _ *http.Request) {
	i.store.clear()
	w.WriteHeader(http.StatusNoContent)
}

// events streams the list: a reset, every kept delivery, then each change,
// with a comment every 15 s so that idle connections stay open.
func (i *Inspector) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch, cancel := i.store.subscribe()
	defer cancel()
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, ev.data); err != nil {
				return
			}
			if len(ch) > 0 {
				continue // write the backlog, then flush once
			}
		case <-tick.C:
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// maxRequestBytes bounds the bodies the page sends.
const maxRequestBytes = 64 << 10

var errNotJSON = errors.New("want a JSON body (Content-Type: application/json)")

func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return errNotJSON
	}
	return jsonDecode(http.MaxBytesReader(nil, r.Body, maxRequestBytes), v)
}

// Package simulator is a Replicate-compatible API that runs predictions and sends signed webhooks.
package simulator

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/graceful"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// Defaults for the zero values of Config.
const (
	DefaultThrottle    = 500 * time.Millisecond
	DefaultLogInterval = time.Second
	// DefaultOutputTTL is how long a prediction keeps its input, output
	// and output files after it completes, as on Replicate.
	DefaultOutputTTL   = time.Hour
	defaultHTTPTimeout = 10 * time.Second
	shutdownTimeout    = time.Second
)

// defaultRetryDelays returns the terminal-webhook retry schedule used when
// Config.RetryDelays is nil: 1, 2, 4, 8, 16 and 30 s, so that the last retry
// comes about a minute after completion, as Replicate's does. Each call
// returns a fresh slice.
func defaultRetryDelays() []time.Duration {
	return []time.Duration{
		time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second,
	}
}

// Faults injects failures, for tests and demos. The zero value injects none.
type Faults struct {
	DropWebhooks        bool          // never deliver any webhook (results only by polling)
	DuplicateWebhooks   bool          // deliver every webhook twice (same webhook-id, fresh timestamp and signature)
	WebhookDelay        time.Duration // delay each webhook delivery by this much
	BadSignature        bool          // sign webhooks with a different secret
	WebhookBeforeCreate bool          // hold the create response (at most 60 s) until the first webhook of that prediction was delivered (or attempted)
	// ThrottleRate and ServerErrorRate apply to every authenticated call on
	// every route, the secret route included; a bad token is always a 401.
	ThrottleRate    float64 // fraction (0..1) of API calls answered 429 (with Retry-After: 1)
	ServerErrorRate float64 // fraction (0..1) of API calls answered 500
	// StartDelay keeps each prediction in "starting" this long before it runs,
	// like a cold boot; with a shorter Cancel-After the prediction is aborted.
	StartDelay time.Duration
	// Abort ends every prediction as "aborted" (after StartDelay), as if its
	// deadline passed before it started: a status clients often forget.
	Abort bool
	// FailRate is the fraction (0..1) of predictions that end "failed" with
	// the error "simulated failure (fault)" after running, whatever the
	// model's outcome. Which ones is decided from the seed and the prediction
	// id, so a seeded simulator fails the same predictions every time.
	FailRate float64
}

// Config configures a Simulator. Zero values take the documented defaults.
type Config struct {
	Token       string           // bearer token required on every call; default: random "r8_sim_..." (see Token)
	Secret      string           // webhook signing secret, as CheckSecret wants it; default: random
	Seed        int64            // non-zero: deterministic prediction ids, webhook ids, random outputs and fault decisions
	Now         func() time.Time // clock for timestamps; default time.Now (durations still use real timers)
	Faults      Faults
	HTTPClient  *http.Client    // for webhook delivery; default: 10s timeout; redirects are never followed
	RetryDelays []time.Duration // terminal-webhook retry schedule; nil means 1, 2, 4, 8, 16, 30 s (about a minute, as Replicate), empty means no retries
	Throttle    time.Duration   // output/logs webhook throttle; default DefaultThrottle
	LogInterval time.Duration   // how often a sleeping model appends a log line; default DefaultLogInterval
	// OutputTTL is how long after completing a prediction keeps its input,
	// output and delivery files; then they are removed and data_removed is
	// true. Default DefaultOutputTTL. It runs on real timers, not Now.
	OutputTTL time.Duration
	// OnEvent, if set, observes what the simulator does. It is called from
	// many goroutines at once; the callee synchronises.
	OnEvent func(Event)
}

// Event is something the simulator did, for observers.
type Event struct {
	Time         time.Time
	Kind         string // "api" (a call answered), "page" (a web page served), "delivery" (an output file served), "stream" (a stream opened), "cancel", "webhook" (an attempt), "webhook_dropped"
	Method, Path string // for "api" and "page"
	Status       int    // HTTP status answered (api, page) or received (webhook; 0 on connection error)
	PredictionID string
	WebhookID    string
	Event        string // webhook event type: start, output, logs, completed
	Err          string
}

// Simulator is a Replicate-compatible API server. Its methods are safe for
// concurrent use.
//
// It runs the models of its catalog (docs/simulator.md, "The catalog"): the
// community model zeke/chaos-monkey at ChaosMonkeyVersion (inputs sleep,
// 0..300 s, and outcome), run by version or through the deployment
// ChaosMonkeyDeployment, and the official models EchoModel, whose output is
// its input, ImageModel, which makes PNG files, and StreamModel, which
// streams tokens, each run by name or at its version. Any other model is
// unknown: 404 on the models route and the models API, 422 as a version.
// It serves the files API too (docs/simulator.md, "Files, images and
// streaming").
//
// A prediction starts processing at once (unless Faults.StartDelay). Past its
// Cancel-After deadline it is aborted if still starting and canceled if
// processing. Without webhook_events_filter, "output" and "completed" are
// sent, as Replicate documents.
type Simulator struct {
	cfg       Config
	token     string
	secretStr string
	secret    webhook.Secret
	signer    webhook.Secret // secret used to sign; differs from secret under Faults.BadSignature
	client    *http.Client
	mux       *http.ServeMux
	rng       *seededRand // token, secret; derive() for per-prediction sources
	ids       *seededRand // prediction ids
	faultRNG  *seededRand // 429/500 fault decisions

	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	server *graceful.Tracker // set by Start
	// shutdownGrace is how long Close lets API calls in flight finish;
	// zero means shutdownTimeout. Tests lengthen it.
	shutdownGrace time.Duration

	mu      sync.Mutex
	closed  bool
	baseURL string
	preds   map[string]*prediction
	order   []*prediction // creation order, oldest first
	cancels map[string]int
	runs    map[string]int // predictions created per model, for run_count
	files   fileStore
}

// New returns a Simulator configured by cfg. It does not listen until Start;
// Handler serves it on any server.
func New(cfg Config) (*Simulator, error) {
	s := &Simulator{cfg: cfg, preds: map[string]*prediction{}, cancels: map[string]int{}, runs: map[string]int{}}
	if s.cfg.Now == nil {
		s.cfg.Now = time.Now
	}
	if s.cfg.RetryDelays == nil {
		s.cfg.RetryDelays = defaultRetryDelays()
	}
	if s.cfg.Throttle <= 0 {
		s.cfg.Throttle = DefaultThrottle
	}
	if s.cfg.LogInterval <= 0 {
		s.cfg.LogInterval = DefaultLogInterval
	}
	if s.cfg.OutputTTL <= 0 {
		s.cfg.OutputTTL = DefaultOutputTTL
	}
	s.rng = newSeededRand(cfg.Seed)
	s.ids, s.faultRNG = s.rng.derive("ids"), s.rng.derive("faults")
	s.files = fileStore{ids: s.rng.derive("files"), byID: map[string]*storedFile{}}
	if err := s.initSecrets(); err != nil {
		return nil, err
	}
	s.token = cfg.Token
	if s.token == "" {
		s.token = "r8_sim_" + s.rng.alnum(32)
	}
	s.client = deliveryClient(cfg.HTTPClient)
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.mux = s.routes()
	return s, nil
}

// The key lengths the Standard Webhooks specification gives for a
// signing secret (docs/replicate.md, "Signatures").
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// CheckSecret reports whether s is a signing secret as Replicate issues
// them: "whsec_" followed by the standard base64 of MinSecretBytes to
// MaxSecretBytes bytes. The simulator signs as Replicate does, so it is
// stricter than webhook.ParseSecret, which receivers use and which also
// takes bare base64 and keys of any length. The error never contains s.
func CheckSecret(s string) error {
	want := fmt.Sprintf("want whsec_ followed by the base64 of %d to %d bytes", MinSecretBytes, MaxSecretBytes)
	b64, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return fmt.Errorf("no whsec_ prefix (%s)", want)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return fmt.Errorf("not standard base64 after whsec_ (%s)", want)
	}
	if n := len(key); n < MinSecretBytes || n > MaxSecretBytes {
		return fmt.Errorf("a %d-byte key (%s)", n, want)
	}
	return nil
}

func (s *Simulator) initSecrets() error {
	str := s.cfg.Secret
	if str == "" {
		var err error
		if str, err = webhook.GenerateSecret(s.rng.reader()); err != nil {
			return fmt.Errorf("generating webhook secret: %w", err)
		}
	} else if err := CheckSecret(str); err != nil {
		return fmt.Errorf("invalid webhook secret: %w", err)
	}
	sec, err := webhook.ParseSecret(str)
	if err != nil {
		return fmt.Errorf("parsing webhook secret: %w", err)
	}
	s.secretStr, s.secret, s.signer = str, sec, sec
	if s.cfg.Faults.BadSignature {
		other, err := webhook.GenerateSecret(rand.Reader)
		if err != nil {
			return fmt.Errorf("generating bad-signature secret: %w", err)
		}
		if s.signer, err = webhook.ParseSecret(other); err != nil {
			return fmt.Errorf("parsing bad-signature secret: %w", err)
		}
	}
	return nil
}

// deliveryClient copies c (or a default client) so that redirects are never
// followed: Replicate does not follow them (docs/replicate.md, "Requests").
func deliveryClient(c *http.Client) *http.Client {
	out := &http.Client{Timeout: defaultHTTPTimeout}
	if c != nil {
		cp := *c
		out = &cp
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return out
}

// Handler returns the simulator's handler: the API under /v1, and each
// prediction's web page (its urls.web) at /p/<id>, which needs no token.
func (s *Simulator) Handler() http.Handler { return s.mux }

// Token returns the bearer token the API requires.
func (s *Simulator) Token() string { return s.token }

// Secret returns the webhook signing secret, "whsec_...".
func (s *Simulator) Secret() string { return s.secretStr }

// Start listens on addr (such as "127.0.0.1:0") and serves the API in the
// background. It returns the base URL, "http://HOST:PORT/v1".
func (s *Simulator) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listening on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	if s.closed || s.server != nil {
		s.mu.Unlock()
		ln.Close()
		return "", errors.New("simulator already started or closed")
	}
	s.server = graceful.Track(srv)
	s.baseURL = "http://" + ln.Addr().String() + "/v1"
	base := s.baseURL
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return base, nil
}

// BaseURL returns the base URL given by Start, or "" before it.
func (s *Simulator) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// Close stops the server, all running predictions and webhook deliveries, and
// waits for them. Predictions still running stay as they were.
func (s *Simulator) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv := s.server
	for _, p := range s.order {
		if p.expiry != nil {
			p.expiry.Stop()
		}
	}
	s.mu.Unlock()
	s.stop()
	var err error
	if srv != nil {
		grace := s.shutdownGrace
		if grace <= 0 {
			grace = shutdownTimeout
		}
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		// Connections a client dialled but never used are closed at once
		// (package graceful); calls still running past the grace are cut:
		// every prediction is already stopped.
		if serr := srv.Shutdown(ctx); serr != nil && ctx.Err() == nil {
			err = fmt.Errorf("closing simulator: %w", serr)
		}
	}
	s.wg.Wait()
	return err
}

// Prediction returns the current JSON of prediction id, as GET answers it.
func (s *Simulator) Prediction(id string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.preds[id]
	if !ok {
		return nil, false
	}
	return p.snapshotLocked(), true
}

// CancelCount returns how many cancel calls prediction id received.
func (s *Simulator) CancelCount(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancels[id]
}

// now is the clock for prediction times, truncated to the microsecond as
// Replicate's timestamps are (docs/replicate.md, "The prediction object").
func (s *Simulator) now() time.Time { return s.cfg.Now().Truncate(time.Microsecond) }

func (s *Simulator) emit(e Event) {
	if s.cfg.OnEvent == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = s.cfg.Now()
	}
	s.cfg.OnEvent(e)
}

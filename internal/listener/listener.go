// Package listener receives, verifies, deduplicates and queues webhook deliveries.
package listener

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/dedup"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultMaxBodyBytes is generous: bodies carry inputs, logs and
	// outputs, and a 100 kB limit caused 413s for users.
	DefaultMaxBodyBytes = 10 << 20
	// DefaultQueueSize is how many deliveries may wait for OnDelivery.
	DefaultQueueSize = 1024
)

// Config configures a Listener. Zero fields take the documented defaults.
type Config struct {
	// Secret verifies signatures; required unless SkipVerify.
	Secret *webhook.Secret
	// SkipVerify accepts unsigned or badly signed deliveries as Unverified.
	// When Secret is also set, signatures are still checked and reported.
	SkipVerify bool
	// Path is the only path served, e.g. "/hook/<token>"; requests elsewhere
	// get 404 and are reported as rejected "unknown path". Empty means
	// NewPath(); read it back with Listener.Path.
	Path string
	// MaxBodyBytes limits the body; larger bodies get 413. Default 10 MiB.
	MaxBodyBytes int64
	// MaxBufferedBytes bounds the memory held by bodies: those being read
	// and those of accepted deliveries until OnDelivery returns for them.
	// A body is reserved in full when its Content-Length is known, in
	// doubling steps while it grows otherwise; a request the budget cannot
	// cover gets 503 with Retry-After: 1, reason "busy", without its body
	// being read. Rejected and Duplicate deliveries hold no budget once cut
	// to BodyPrefixBytes (those prefixes, at most QueueSize×4 KiB, are not
	// counted). It must be at least MaxBodyBytes. Default 2×MaxBodyBytes
	// (20 MiB): with Go's default GOGC letting the heap grow to twice the
	// live bytes between collections, 150 concurrent 10 MiB bodies with bad signatures
	// leave notifier listen under 70 MB resident (tools/hostile measures
	// it), while thousands of 2 KiB deliveries from 200 senders use a few
	// MiB of it (TestSmallDeliveriesNeverBusy).
	MaxBufferedBytes int64
	// Tolerance is the replay window. Default webhook.DefaultTolerance.
	Tolerance time.Duration
	// QueueSize bounds the deliveries waiting for OnDelivery; when it is
	// full the listener answers 503 and Replicate retries. Default 1024.
	QueueSize int
	// DedupWindow is how long an accepted webhook-id is remembered, so that
	// a retry with the same id is a Duplicate: at least this long, at most
	// an eighth longer. Replicate retries the terminal webhook with the same
	// id; a late retry must not be processed twice. Default 1 hour.
	DedupWindow time.Duration
	// DedupMaxIDs bounds how many webhook-ids are remembered; past it the
	// oldest are forgotten early. Default 1,000,000 (about 21 MB at most;
	// see package dedup).
	DedupMaxIDs int
	// MaxAccepted, when positive, is how many deliveries the listener
	// accepts in all: later ones are answered 503 (reason "closing"), so the
	// sender keeps them for a retry, instead of being acknowledged and then
	// dropped by a consumer that stops after that many.
	MaxAccepted int
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// OnDelivery is called for every delivery, accepted or not, from one
	// goroutine in arrival order, after the answer was written. It may be nil.
	// Rejections are reported best-effort: dropped when the queue is full.
	OnDelivery func(Delivery)
	// OnIdle, if set, is called from the same goroutine each time the queue
	// is empty after OnDelivery: a consumer that buffers its output flushes
	// it then, so that it writes once per burst, not once per delivery,
	// and never holds a line back while nothing else comes.
	OnIdle func()
}

// Listener is an http.Handler for webhook deliveries. Create it with New and
// release it with Close (Serve does so itself).
type Listener struct {
	cfg Config

	mu       sync.Mutex // guards seen, closed, accepted and sends on queue
	seen     *dedup.Set
	closed   bool
	accepted int // deliveries queued as accepted
	queue    chan item
	budget   budget // bytes held by bodies; see Config.MaxBufferedBytes

	workerDone chan struct{}
	closeOnce  sync.Once
}

// New validates cfg, applies the defaults and starts the worker goroutine
// that calls OnDelivery.
func New(cfg Config) (*Listener, error) {
	if cfg.Secret == nil && !cfg.SkipVerify {
		return nil, errors.New("a webhook secret is required unless verification is skipped")
	}
	if cfg.Secret != nil && cfg.Secret.IsZero() {
		return nil, errors.New("the webhook secret is not set")
	}
	if cfg.Path == "" {
		cfg.Path = NewPath()
	}
	if !strings.HasPrefix(cfg.Path, "/") {
		return nil, errors.New("the webhook path must start with /")
	}
	applyDefaults(&cfg)
	if cfg.MaxBufferedBytes < cfg.MaxBodyBytes {
		return nil, fmt.Errorf("MaxBufferedBytes (%d) must be at least MaxBodyBytes (%d)", cfg.MaxBufferedBytes, cfg.MaxBodyBytes)
	}
	l := &Listener{
		cfg:        cfg,
		seen:       dedup.New(dedup.Config{Window: cfg.DedupWindow, MaxIDs: cfg.DedupMaxIDs, Now: cfg.Now}),
		queue:      make(chan item, cfg.QueueSize),
		budget:     budget{limit: cfg.MaxBufferedBytes},
		workerDone: make(chan struct{}),
	}
	go l.work()
	return l, nil
}

func applyDefaults(cfg *Config) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxBufferedBytes <= 0 {
		cfg.MaxBufferedBytes = 2 * cfg.MaxBodyBytes
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = webhook.DefaultTolerance
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.DedupWindow <= 0 {
		cfg.DedupWindow = dedup.DefaultWindow
	}
	if cfg.DedupMaxIDs <= 0 {
		cfg.DedupMaxIDs = dedup.DefaultMaxIDs
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OnDelivery == nil {
		cfg.OnDelivery = func(Delivery) {}
	}
}

// Path returns the path the listener serves.
func (l *Listener) Path() string { return l.cfg.Path }

// NewPath returns "/hook/" followed by 32 random hex characters, so that a
// public URL alone does not reach the handler.
func NewPath() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "/hook/" + hex.EncodeToString(b)
}

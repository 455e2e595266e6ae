// Package listener receives, verifies, deduplicates and queues webhook deliveries.
package listener

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/webhook"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultMaxBodyBytes is generous: bodies carry inputs, logs and outputs,
	// and a 100 kB limit caused 413s for users (REPLICATE.md §4).
	DefaultMaxBodyBytes = 10 << 20
	// DefaultQueueSize is how many deliveries may wait for OnDelivery.
	DefaultQueueSize = 1024
	// DefaultDedupSize is how many accepted webhook-ids are remembered.
	DefaultDedupSize = 10000
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
	// Tolerance is the replay window. Default webhook.DefaultTolerance.
	Tolerance time.Duration
	// QueueSize bounds the deliveries waiting for OnDelivery; when it is
	// full the listener answers 503 and Replicate retries. Default 1024.
	QueueSize int
	// DedupSize is how many webhook-ids are remembered. Default 10000.
	DedupSize int
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// OnDelivery is called for every delivery, accepted or not, from one
	// goroutine in arrival order, after the answer was written. It may be nil.
	// Rejections are reported best-effort: dropped when the queue is full.
	OnDelivery func(Delivery)
}

// Listener is an http.Handler for webhook deliveries. Create it with New and
// release it with Close (Serve does so itself).
type Listener struct {
	cfg Config

	mu     sync.Mutex // guards seen, closed and sends on queue
	seen   *dedup
	closed bool
	queue  chan item

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
	l := &Listener{
		cfg:        cfg,
		seen:       newDedup(cfg.DedupSize),
		queue:      make(chan item, cfg.QueueSize),
		workerDone: make(chan struct{}),
	}
	go l.work()
	return l, nil
}

func applyDefaults(cfg *Config) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = webhook.DefaultTolerance
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.DedupSize <= 0 {
		cfg.DedupSize = DefaultDedupSize
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

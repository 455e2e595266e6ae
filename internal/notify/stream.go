package notify

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/dedup"
	"github.com/notifier-dev/notifier/internal/notify/alert"
	"github.com/notifier-dev/notifier/internal/prediction"
)

// DefaultCheckEvery is how often a Stream looks for a recovery while no
// prediction arrives: failures age out of the window with time alone.
const DefaultCheckEvery = 30 * time.Second

// AlertConfig turns on failure-rate alerts: one when the share of
// predictions that did not succeed, among at least MinCount completed within
// Window, reaches Rate, and one when it falls back below.
type AlertConfig struct {
	Rate     float64
	Window   time.Duration
	MinCount int
}

// StreamConfig configures a Stream.
type StreamConfig struct {
	// Alert, when set, turns on failure-rate alerts.
	Alert *AlertConfig
	// Remember is how long a prediction is remembered so that it is told
	// about once, however often its completed webhook is delivered (default
	// dedup.DefaultWindow).
	Remember time.Duration
	// CheckEvery is how often a recovery is looked for (default DefaultCheckEvery).
	CheckEvery time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnAlert, if set, hears of every alert and recovery as it is sent.
	OnAlert func(Alert)
}

// Stream turns the predictions a listener receives into notifications: one
// result per prediction when it completes, never twice for a retried
// delivery, and failure-rate alerts.
type Stream struct {
	d       *Dispatcher
	cfg     StreamConfig
	tracker *alert.Tracker

	mu    sync.Mutex
	seen  *dedup.Set
	model string // the model of the alert in force, for its recovery

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// NewStream starts a Stream that notifies through d.
func NewStream(d *Dispatcher, cfg StreamConfig) *Stream {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CheckEvery <= 0 {
		cfg.CheckEvery = DefaultCheckEvery
	}
	s := &Stream{d: d, cfg: cfg, seen: dedup.New(dedup.Config{Window: cfg.Remember, Now: cfg.Now}),
		stop: make(chan struct{}), done: make(chan struct{})}
	if a := cfg.Alert; a != nil {
		s.tracker = alert.New(a.Rate, a.Window, a.MinCount)
		go s.check()
	} else {
		close(s.done)
	}
	return s
}

// Observe takes a prediction delivered at time at, with its JSON as
// received and notes for the message (such as "unverified"). Only the first
// terminal delivery of each prediction counts.
func (s *Stream) Observe(p *replicate.Prediction, raw json.RawMessage, at time.Time, notes ...string) {
	if p == nil || p.ID == "" || !prediction.Terminal(p.Status) {
		return
	}
	s.mu.Lock()
	if s.seen.Has(p.ID) {
		s.mu.Unlock()
		return
	}
	s.seen.Add(p.ID)
	s.mu.Unlock()
	s.d.Notify(Notification{Kind: KindResult, Prediction: p, Raw: raw, Notes: notes})
	if s.tracker != nil {
		s.transition(s.tracker.Observe(string(p.Status), at), at, p)
	}
}

// check looks for a recovery every CheckEvery until Close.
func (s *Stream) check() {
	defer close(s.done)
	t := time.NewTicker(s.cfg.CheckEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			now := s.cfg.Now()
			s.transition(s.tracker.Check(now), now, nil)
		case <-s.stop:
			return
		}
	}
}

// transition sends an alert when the failure rate crossed or recovered.
func (s *Stream) transition(t alert.Transition, at time.Time, p *replicate.Prediction) {
	if t == alert.None {
		return
	}
	c := s.tracker.Counts()
	a := Alert{Recovered: t == alert.Recovered, Failures: c.Failures, Total: c.Total,
		Threshold: s.cfg.Alert.Rate, Window: s.cfg.Alert.Window, At: at}
	if p != nil && !a.Recovered {
		a.Model = p.Model
		a.Recent = []string{fmt.Sprintf("%s %s %s", p.ID, p.Model, p.Status)}
	}
	// The recovery names the model its alert named, whoever tipped it (the
	// ticker has no prediction): PagerDuty resolves by it.
	s.mu.Lock()
	if a.Recovered {
		a.Model = s.model
	} else {
		s.model = a.Model
	}
	s.mu.Unlock()
	if s.cfg.OnAlert != nil {
		s.cfg.OnAlert(a)
	}
	s.d.Notify(Notification{Kind: KindAlert, Alert: &a})
}

// Close stops looking for recoveries; the Dispatcher is closed by its owner.
func (s *Stream) Close() {
	s.once.Do(func() { close(s.stop) })
	<-s.done
}

// Package watch follows predictions from creation to a terminal status, by webhook or by polling.
package watch

import (
	"sync"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/prediction"
)

// maxEarly bounds the deliveries kept for predictions not (yet) being watched.
const maxEarly = 1024

// update is one snapshot of a prediction received by webhook.
type update struct {
	prediction *replicate.Prediction
	receivedAt time.Time
}

// newer reports whether u should replace old: a terminal snapshot is never
// replaced by a non-terminal one (deliveries may arrive out of order).
func (u *update) newer(old *update) bool {
	return old == nil || !prediction.Terminal(old.prediction.Status)
}

// Hub routes webhook deliveries to the watches of their predictions. A
// delivery for a prediction not watched yet is kept, because the webhook may
// arrive before the create call returns (docs/replicate.md, "Webhooks").
type Hub struct {
	mu      sync.Mutex
	waiters map[string]*slot
	early   map[string]*update
	order   []string          // ids in early, oldest first
	latest  map[string]string // owner/name -> the latest version found by createByName
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{waiters: make(map[string]*slot), early: make(map[string]*update), latest: make(map[string]string)}
}

// Deliver hands a prediction received by webhook at time at to its watch.
func (h *Hub) Deliver(p *replicate.Prediction, at time.Time) {
	if p == nil || p.ID == "" {
		return
	}
	u := &update{prediction: p, receivedAt: at}
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.waiters[p.ID]; ok {
		s.put(u)
		return
	}
	if old, ok := h.early[p.ID]; ok {
		if u.newer(old) {
			h.early[p.ID] = u
		}
		return
	}
	if len(h.order) >= maxEarly {
		delete(h.early, h.order[0])
		h.order = h.order[1:]
	}
	h.early[p.ID] = u
	h.order = append(h.order, p.ID)
}

// register starts routing deliveries for id to a new slot, seeded with any
// delivery that arrived before.
func (h *Hub) register(id string) *slot {
	s := &slot{notify: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if u, ok := h.early[id]; ok {
		s.put(u)
		delete(h.early, id)
		for i, e := range h.order {
			if e == id {
				h.order = append(h.order[:i], h.order[i+1:]...)
				break
			}
		}
	}
	h.waiters[id] = s
	return s
}

func (h *Hub) unregister(id string) {
	h.mu.Lock()
	delete(h.waiters, id)
	h.mu.Unlock()
}

// slot holds the latest snapshot of one watched prediction.
type slot struct {
	mu     sync.Mutex
	latest *update
	seen   bool // latest was taken
	notify chan struct{}
}

func (s *slot) put(u *update) {
	s.mu.Lock()
	if u.newer(s.latest) {
		s.latest, s.seen = u, false
	}
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// take returns the latest snapshot not taken yet, or nil.
func (s *slot) take() *update {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen || s.latest == nil {
		return nil
	}
	s.seen = true
	return s.latest
}

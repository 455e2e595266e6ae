package dedup

import (
	"math/rand/v2"
	"testing"
)

func TestSet64AgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s set64
	model := map[uint64]bool{}
	for range 50_000 {
		h := r.Uint64() % 20_000 // repeats, and 0 among them
		if s.has(h) != model[nonzero(h)] {
			t.Fatalf("has(%d) = %v, model %v", h, s.has(h), model[nonzero(h)])
		}
		s.add(h)
		model[nonzero(h)] = true
	}
	if s.len() != len(model) {
		t.Errorf("len %d, model %d", s.len(), len(model))
	}
	for h := range model {
		if !s.has(h) {
			t.Fatalf("lost %d", h)
		}
	}
}

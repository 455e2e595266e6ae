package dedup

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestSet64AgainstMap(t *testing.T) {
	for _, bound := range []int{0, 12_345, 20_000} {
		testSet64AgainstMap(t, &set64{max: bound})
	}
}

// testSet64AgainstMap adds up to 20,000 hashes to s, checking it against a map.
func testSet64AgainstMap(t *testing.T, s *set64) {
	r := rand.New(rand.NewPCG(1, 2))
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

// TestSet64Bounded: a set told the most it will hold stops growing at the
// size that holds them three quarters full, and still grows past it.
func TestSet64Bounded(t *testing.T) {
	s := &set64{max: 1000}
	for h := range uint64(1000) {
		s.add(h<<40 | h)
	}
	if len(s.slots) != 1334 || s.len() != 1000 {
		t.Fatalf("%d slots for %d hashes, want 1334 for 1000", len(s.slots), s.len())
	}
	for h := range uint64(2000) {
		s.add(h<<40 | h)
	}
	if s.len() != 2000 || !s.has(1999<<40|1999) || s.has(2000<<40|2000) {
		t.Fatalf("past the bound: %d hashes, %d slots", s.len(), len(s.slots))
	}
}

// TestTablesReturned: the tables mapped for a Set's ids are returned to the
// system when their ids are forgotten, by age or past MaxIDs.
func TestTablesReturned(t *testing.T) {
	c := newClock()
	s := New(Config{Now: c.now, MaxIDs: 200_000})
	var sets []*set64 // every table the Set had
	for i := range 400_000 {
		s.Add(fmt.Sprint("msg_", i))
		if last := s.buckets[len(s.buckets)-1].ids; len(sets) == 0 || sets[len(sets)-1] != last {
			sets = append(sets, last)
		}
	}
	mapped := func() (n int) {
		for _, st := range sets {
			if st.mapped != nil {
				n += len(st.mapped.b)
			}
		}
		return n
	}
	if got := mapped(); got == 0 || got > 22*200_000 {
		t.Errorf("%d bytes mapped for %d ids", got, s.Len())
	}
	c.advance(2 * DefaultWindow)
	if s.Len() != 0 || mapped() != 0 {
		t.Errorf("after the window: %d ids, %d bytes still mapped", s.Len(), mapped())
	}
}

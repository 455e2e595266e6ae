package dedup

import (
	"math/bits"
	"runtime"
	"sync/atomic"
)

// set64 is a set of 64-bit hashes in one flat table with linear probing:
// 8 bytes a slot and at least a quarter of the slots free. A hash's first
// slot is its high bits scaled to the table's size (multiply and shift),
// so the table need not be a power of two: it doubles from 16 slots while
// it grows, and a set told the most ids it will hold stops at the size
// that holds them three quarters full. A full bucket of a Set costs 10.7
// bytes an id; a table that just doubled, up to 21 (a map[uint64]struct{}
// takes up to 40). Zero marks a free slot; the hash 0 is stored as 1 (one
// more in 2^64 collisions).
//
// Tables of mapThreshold slots or more are mapped from the system, outside
// the Go heap: they hold no pointers and live as long as the window, and
// on the heap the garbage collector would let the heap grow by as much
// again before collecting (GOGC), which doubled the resident memory of a
// listener remembering a million ids. Such a table is returned to the
// system when the set grows past it or is dropped (release), or, failing
// that, once the set is garbage.
type set64 struct {
	slots  []uint64
	n      int
	max    int      // the most hashes it will hold, or 0 for no bound
	mapped *mapping // the system memory of slots, if mapped
}

// mapThreshold is the size from which a table is mapped (64 KiB): smaller
// ones are not worth a system call.
const mapThreshold = 8192

// mappedBytes is the memory mapped for tables now, for TestMemoryPerID.
var mappedBytes atomic.Int64

// mapping is the system memory of a set's table, apart from the set so that
// a cleanup can unmap it once the set is garbage.
type mapping struct{ b []byte }

func (m *mapping) unmap() {
	unmapSlots(m.b)
	m.b = nil
}

// release returns the set's table to the system; the set must not be used
// afterwards.
func (s *set64) release() {
	if s.mapped != nil {
		s.mapped.unmap()
	}
	s.slots, s.n = nil, 0
}

func (s *set64) len() int { return s.n }

func (s *set64) has(h uint64) bool {
	if s.n == 0 {
		return false
	}
	h = nonzero(h)
	for i := s.first(h); ; i = s.next(i) {
		switch s.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}

func (s *set64) add(h uint64) {
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	h = nonzero(h)
	for i := s.first(h); ; i = s.next(i) {
		switch s.slots[i] {
		case h:
			return
		case 0:
			s.slots[i] = h
			s.n++
			return
		}
	}
}

// first is the slot where h's probe starts.
func (s *set64) first(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(s.slots)))
	return int(hi)
}

// next is the slot after i, wrapping around.
func (s *set64) next(i int) int {
	if i++; i == len(s.slots) {
		return 0
	}
	return i
}

// grow doubles the table (16 slots at first), or makes it just large
// enough for max hashes when that is smaller, and places every hash again.
func (s *set64) grow() {
	old := s.slots
	size := max(16, 2*len(old))
	if need := (4*s.max + 2) / 3; s.max > 0 && need < size && need > len(old) {
		size = need
	}
	var oldMap []byte
	if s.mapped != nil {
		oldMap, s.mapped.b = s.mapped.b, nil
	}
	if size < mapThreshold {
		s.slots = make([]uint64, size)
	} else {
		if s.mapped == nil {
			s.mapped = &mapping{}
			runtime.AddCleanup(s, (*mapping).unmap, s.mapped)
		}
		s.slots, s.mapped.b = mapSlots(size)
	}
	s.n = 0
	for _, h := range old {
		if h != 0 {
			s.add(h)
		}
	}
	unmapSlots(oldMap)
}

func nonzero(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

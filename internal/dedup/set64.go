package dedup

// set64 is a set of 64-bit hashes in one flat table with linear probing:
// 8 bytes a slot and at least a quarter of the slots free, so 11 to 21
// bytes an id, where a map[uint64]struct{} takes up to 40. Zero marks a
// free slot; the hash 0 is stored as 1 (one more in 2^64 collisions).
type set64 struct {
	slots []uint64
	n     int
}

func (s *set64) len() int { return s.n }

func (s *set64) has(h uint64) bool {
	if s.n == 0 {
		return false
	}
	h = nonzero(h)
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
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
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
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

// grow doubles the table (16 slots at first) and places every hash again.
func (s *set64) grow() {
	old := s.slots
	s.slots = make([]uint64, max(16, 2*len(old)))
	s.n = 0
	for _, h := range old {
		if h != 0 {
			s.add(h)
		}
	}
}

func nonzero(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// Package dedup remembers ids for a time window, in bounded memory.
package dedup

import (
	"hash/maphash"
	"slices"
	"time"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultWindow is far longer than Replicate's retries, which resend
	// only the terminal webhook, with the same webhook-id, for about a
	// minute: a retry that arrives late is still recognised.
	DefaultWindow = time.Hour
	// DefaultMaxIDs bounds memory at about 11 MB when the ids come faster
	// than the window turns over, 21 MB at worst: an id is stored as its
	// 8-byte hash in an open-addressing table kept at most three quarters
	// full, and a full bucket's table is sized to hold its ids, 10.7 bytes
	// each; a table that just doubled costs up to 21 bytes an id
	// (TestMemoryPerID measures it). A million ids an hour is about 280
	// webhook deliveries a second.
	DefaultMaxIDs = 1_000_000
)

// buckets is how many time buckets cover the window: ids are kept between
// Window and Window+Window/buckets after they were added.
const buckets = 8

// Config configures a Set. Zero fields take the documented defaults.
type Config struct {
	// Window is how long an id is remembered at least: an id added at t is
	// remembered until t+Window and forgotten by t+Window+Window/8, unless
	// MaxIDs forces it out earlier. Default DefaultWindow.
	Window time.Duration
	// MaxIDs bounds how many ids are remembered; when it is reached the
	// oldest ids are forgotten early, a bucket (about MaxIDs/8 ids or one
	// eighth of the window) at a time. Default DefaultMaxIDs.
	MaxIDs int
	// Now is the clock. Default time.Now. A clock that goes back is treated
	// as standing still until it catches up.
	Now func() time.Time
}

// Set is a set of ids remembered for a time window. Ids are stored as 64-bit
// hashes (hash/maphash, seeded per Set), so a new id collides with a
// remembered one, and is wrongly reported present, with probability n/2^64
// for n remembered ids: about 5e-14 per lookup at DefaultMaxIDs.
//
// A Set is not safe for concurrent use: callers synchronise.
type Set struct {
	seed    maphash.Seed
	now     func() time.Time
	span    time.Duration // one bucket's share of the window
	maxIDs  int
	perBkt  int      // a bucket holding this many ids is full
	buckets []bucket // oldest first
	n       int      // ids in all buckets
	last    int64    // highest bucket index seen, so the clock never goes back
}

// bucket holds the ids added during one span of time, or part of it when
// ids came too fast for one bucket.
type bucket struct {
	index int64 // the span: time since the epoch divided by span
	ids   *set64
}

// New returns an empty Set configured by cfg.
func New(cfg Config) *Set {
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxIDs <= 0 {
		cfg.MaxIDs = DefaultMaxIDs
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Set{
		seed:   maphash.MakeSeed(),
		now:    cfg.Now,
		span:   max(cfg.Window/buckets, 1),
		maxIDs: cfg.MaxIDs,
		perBkt: max(cfg.MaxIDs/buckets, 1),
	}
}

// Has reports whether id was added and is still remembered.
func (s *Set) Has(id string) bool {
	s.expire()
	return s.has(maphash.String(s.seed, id))
}

// Add remembers id from now on; adding a remembered id again changes
// nothing (its time is not renewed).
func (s *Set) Add(id string) {
	cur := s.expire()
	h := maphash.String(s.seed, id)
	if s.has(h) {
		return
	}
	s.current(cur)
	drop := 0
	for s.n >= s.maxIDs { // never the newest: it holds fewer than maxIDs
		s.n -= s.buckets[drop].ids.len()
		drop++
	}
	s.drop(drop)
	s.buckets[len(s.buckets)-1].ids.add(h)
	s.n++
}

// Len returns how many ids are remembered; it never exceeds MaxIDs.
func (s *Set) Len() int {
	s.expire()
	return s.n
}

func (s *Set) has(h uint64) bool {
	for i := range s.buckets {
		if s.buckets[i].ids.has(h) {
			return true
		}
	}
	return false
}

// expire forgets the buckets older than the window and returns the current
// bucket index.
func (s *Set) expire() int64 {
	cur := max(s.now().UnixNano()/int64(s.span), s.last)
	s.last = cur
	drop := 0
	for drop < len(s.buckets) && s.buckets[drop].index < cur-buckets {
		s.n -= s.buckets[drop].ids.len()
		drop++
	}
	s.drop(drop)
	return cur
}

// drop forgets the n oldest buckets, returning their tables to the system.
func (s *Set) drop(n int) {
	for _, b := range s.buckets[:n] {
		b.ids.release()
	}
	s.buckets = slices.Delete(s.buckets, 0, n)
}

// current makes the newest bucket the one new ids go to: it is kept when it
// belongs to index cur and is not full, otherwise a new one is started.
func (s *Set) current(cur int64) {
	if n := len(s.buckets); n > 0 {
		if b := s.buckets[n-1]; b.index == cur && b.ids.len() < s.perBkt {
			return
		}
	}
	s.buckets = append(s.buckets, bucket{index: cur, ids: &set64{max: s.perBkt}})
}

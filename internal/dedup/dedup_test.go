package dedup

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *clock { return &clock{t: time.Unix(1700000000, 0)} }

func TestRemembersPastManyNewerIDs(t *testing.T) {
	c := newClock()
	s := New(Config{Now: c.now})
	s.Add("msg_late")
	for i := range 15000 {
		s.Add(fmt.Sprint("msg_", i))
	}
	if !s.Has("msg_late") {
		t.Fatal("forgotten after 15,000 newer ids")
	}
	c.advance(59 * time.Minute)
	if !s.Has("msg_late") {
		t.Fatal("forgotten after 59 minutes")
	}
	if s.Has("msg_never") {
		t.Fatal("an id never added is present")
	}
}

func TestForgetsAfterWindow(t *testing.T) {
	const window = time.Hour
	span := window / buckets
	for _, offset := range []time.Duration{0, time.Second, span / 2, span - time.Nanosecond} {
		t.Run(offset.String(), func(t *testing.T) {
			c := newClock()
			c.t = c.t.Truncate(span).Add(offset) // at offset into a bucket
			s := New(Config{Window: window, Now: c.now})
			s.Add("a")
			c.advance(window)
			if !s.Has("a") || s.Len() != 1 {
				t.Fatalf("forgotten before the window passed (len %d)", s.Len())
			}
			c.advance(span)
			if s.Has("a") || s.Len() != 0 {
				t.Fatalf("remembered past window plus one bucket (len %d)", s.Len())
			}
		})
	}
}

func TestAddAgainDoesNotRenew(t *testing.T) {
	c := newClock()
	s := New(Config{Window: time.Hour, Now: c.now})
	s.Add("a")
	c.advance(50 * time.Minute)
	s.Add("a")
	if s.Len() != 1 {
		t.Fatalf("Len = %d after adding the same id twice", s.Len())
	}
	c.advance(time.Hour)
	if s.Has("a") {
		t.Fatal("re-adding renewed the id")
	}
}

func TestClockGoingBack(t *testing.T) {
	c := newClock()
	s := New(Config{Window: time.Hour, Now: c.now})
	s.Add("a")
	c.advance(-3 * time.Hour)
	s.Add("b")
	if !s.Has("a") || !s.Has("b") {
		t.Fatal("ids lost when the clock went back")
	}
	c.advance(3*time.Hour + 2*time.Hour)
	if s.Has("a") || s.Has("b") {
		t.Fatal("ids kept past the window after the clock caught up")
	}
}

func TestMaxIDsBound(t *testing.T) {
	c := newClock()
	const maxIDs = 80
	s := New(Config{Window: time.Hour, MaxIDs: maxIDs, Now: c.now})
	for i := range 1000 {
		s.Add(fmt.Sprint(i))
		if n := s.Len(); n > maxIDs {
			t.Fatalf("after %d adds Len = %d > MaxIDs %d", i+1, n, maxIDs)
		}
	}
	// Only the oldest ids go: the most recent MaxIDs*7/8 are all kept.
	for i := 1000 - maxIDs*7/8; i < 1000; i++ {
		if !s.Has(fmt.Sprint(i)) {
			t.Fatalf("recent id %d forgotten", i)
		}
	}
	if s.Has("0") {
		t.Fatal("oldest id kept beyond MaxIDs")
	}
}

func TestMaxIDsOne(t *testing.T) {
	s := New(Config{MaxIDs: 1, Now: newClock().now})
	s.Add("a")
	s.Add("b")
	if s.Len() != 1 || s.Has("a") || !s.Has("b") {
		t.Fatalf("Len %d, a %v, b %v: want only b", s.Len(), s.Has("a"), s.Has("b"))
	}
}

// TestRandomAgainstModel compares a Set with an exact model under random
// adds, lookups and clock steps: an id added within the window is always
// present, one older than window plus one bucket never is, and Len never
// exceeds MaxIDs.
func TestRandomAgainstModel(t *testing.T) {
	const window = 8 * time.Minute
	span := window / buckets
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		c := newClock()
		maxIDs := 1 + rng.IntN(300)
		s := New(Config{Window: window, MaxIDs: maxIDs, Now: c.now})
		added := map[string]time.Time{} // first add of each id
		for range 3000 {
			c.advance(time.Duration(rng.Int64N(int64(20 * time.Second))))
			id := fmt.Sprint(rng.IntN(500))
			if rng.IntN(2) == 0 {
				if !s.Has(id) { // new to the set (possibly forgotten early)
					added[id] = c.t
				}
				s.Add(id)
			}
			at, ok := added[id]
			has := s.Has(id)
			switch {
			case ok && c.t.Sub(at) > window+span && has:
				t.Fatalf("seed %d: %s kept %v after it was added", seed, id, c.t.Sub(at))
			case !ok && has:
				t.Fatalf("seed %d: %s present but never added", seed, id)
			}
			if s.Len() > maxIDs {
				t.Fatalf("seed %d: Len %d > MaxIDs %d", seed, s.Len(), maxIDs)
			}
		}
	}
}

// TestWithinWindowWhenUnderBound checks the other side of the model: when
// MaxIDs is never reached, every id added within the window is present.
func TestWithinWindowWhenUnderBound(t *testing.T) {
	const window = 8 * time.Minute
	rng := rand.New(rand.NewPCG(7, 7))
	c := newClock()
	s := New(Config{Window: window, MaxIDs: 1 << 20, Now: c.now})
	added := map[string]time.Time{}
	for i := range 5000 {
		c.advance(time.Duration(rng.Int64N(int64(time.Second))))
		id := fmt.Sprint(i)
		s.Add(id)
		added[id] = c.t
		probe := fmt.Sprint(rng.IntN(i + 1))
		if c.t.Sub(added[probe]) <= window && !s.Has(probe) {
			t.Fatalf("%s forgotten %v after it was added", probe, c.t.Sub(added[probe]))
		}
	}
}

func FuzzSet(f *testing.F) {
	f.Add([]byte("ab\x00ca\xffb"), uint8(3))
	f.Fuzz(func(t *testing.T, ops []byte, maxIDs uint8) {
		c := newClock()
		s := New(Config{Window: time.Hour, MaxIDs: int(maxIDs) + 1, Now: c.now})
		for _, op := range ops {
			id := string(rune('a' + op%8))
			switch {
			case op >= 0xf0:
				c.advance(time.Duration(op-0xf0) * 10 * time.Minute)
			case op >= 0x80:
				s.Add(id)
				if !s.Has(id) {
					t.Fatalf("%q missing right after Add", id)
				}
			default:
				s.Has(id)
			}
			if s.Len() > int(maxIDs)+1 {
				t.Fatalf("Len %d > MaxIDs %d", s.Len(), int(maxIDs)+1)
			}
		}
	})
}

// TestMemoryPerID backs DefaultMaxIDs' documented size: a Set filled
// faster than its window turns over costs about 11 bytes per id.
func TestMemoryPerID(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates about 11 MB")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	mappedBefore := mappedBytes.Load()
	s := New(Config{Now: newClock().now})
	for i := range DefaultMaxIDs {
		s.Add(fmt.Sprint("msg_", i))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	// The tables are mapped outside the heap, the rest is on it.
	perID := float64(int64(after.HeapAlloc-before.HeapAlloc)+mappedBytes.Load()-mappedBefore) / DefaultMaxIDs
	t.Logf("%d ids: %.1f bytes per id, %.1f MB", s.Len(), perID, perID*DefaultMaxIDs/1e6)
	if s.Len() != DefaultMaxIDs || perID > 12 {
		t.Fatalf("%d ids, %.1f bytes per id; the doc of DefaultMaxIDs says about 11", s.Len(), perID)
	}
}

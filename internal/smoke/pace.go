package smoke

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/notifier-dev/notifier/internal/waitctx"
)

// pacer spaces create calls at least interval apart, with no burst: each
// wait reserves the next free slot. A nil pacer does not limit.
type pacer struct {
	interval time.Duration

	mu   sync.Mutex
	next time.Time // earliest time of the next slot
}

// newPacer returns a pacer for rate calls per second; 0 means no limit.
func newPacer(rate float64) *pacer {
	if rate <= 0 {
		return nil
	}
	return &pacer{interval: time.Duration(float64(time.Second) / rate)}
}

// wait blocks until the caller's slot comes or ctx ends, and returns
// ctx.Err() in the latter case. A slot reserved by a wait that ctx ended is
// not given back: the run is over by then.
func (p *pacer) wait(ctx context.Context) error {
	if p == nil {
		return ctx.Err()
	}
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.interval)
	p.mu.Unlock()
	return waitctx.Sleep(ctx, at.Sub(now))
}

// backoff is the wait before retry attempt+1 of a throttled create: base
// doubled per attempt, capped at MaxThrottleBackoff, with "equal jitter"
// (half fixed, half random) so that workers throttled together spread out.
func backoff(base time.Duration, attempt int) time.Duration {
	d := MaxThrottleBackoff
	if attempt < 20 {
		d = min(base<<attempt, MaxThrottleBackoff)
	}
	half := d / 2
	return half + rand.N(half+1)
}

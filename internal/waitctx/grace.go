package waitctx

import (
	"context"
	"sync"
	"time"
)

// Grace returns a context for the work left on the way out: parent ending
// does not end it, but grace after parent ends, it ends too. So pending work
// gets one bounded grace period once notifier is told to stop, and no limit
// before. The cancel function releases its resources.
func Grace(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stop := context.AfterFunc(parent, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	return ctx, func() {
		stop()
		cancel()
	}
}

// Wait waits for wg until ctx ends, and reports whether wg was done. When
// ctx ends first, the goroutine that waits on wg stays until wg is done.
func Wait(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

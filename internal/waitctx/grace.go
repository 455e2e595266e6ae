package waitctx

import (
	"context"
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

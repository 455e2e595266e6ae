// Package waitctx pauses for a while unless a context ends first.
package waitctx

import (
	"context"
	"time"
)

// Sleep waits for d, or until ctx is done. It returns ctx.Err() when ctx
// ended first (or had already ended), else nil. A d of zero or less does not
// wait.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

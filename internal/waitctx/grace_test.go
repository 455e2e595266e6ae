package waitctx

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, stop := context.WithCancel(context.Background())
		ctx, cancel := Grace(parent, 10*time.Second)
		defer cancel()

		time.Sleep(time.Hour) // no limit while parent lives
		if ctx.Err() != nil {
			t.Fatal("ended before parent did")
		}
		stop()
		start := time.Now()
		<-ctx.Done()
		if got := time.Since(start); got != 10*time.Second {
			t.Errorf("ended %v after parent, want 10s", got)
		}
	})
}

func TestGraceParentAlreadyDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, stop := context.WithCancel(context.Background())
		stop()
		ctx, cancel := Grace(parent, time.Second)
		defer cancel()
		start := time.Now()
		<-ctx.Done()
		if got := time.Since(start); got != time.Second {
			t.Errorf("ended after %v, want 1s", got)
		}
	})
}

func TestGraceCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := Grace(context.Background(), time.Second)
		cancel()
		if ctx.Err() == nil {
			t.Error("cancel did not end it")
		}
	})
}

func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var wg sync.WaitGroup
		release := make(chan struct{})
		wg.Go(func() { <-release })
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if Wait(ctx, &wg) {
			t.Error("Wait reported done while the goroutine runs")
		}
		close(release)
		if !Wait(context.Background(), &wg) {
			t.Error("Wait did not see the group done")
		}
	})
}

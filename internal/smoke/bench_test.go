package smoke_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/smoke"
)

// BenchmarkSmoke1000 runs 1000 instant predictions, 50 at a time, with no
// rate limit, against the in-process simulator and listener. Besides ns/op
// and allocs/op (one op = the 1000), it reports the process's CPU time per
// prediction and the peak heap in use, sampled every 5 ms. Both include the
// simulator and the listener, which run in the same process; the simulator
// also keeps every prediction it ran, so run with -benchtime=1x for the
// peak of a single run.
func BenchmarkSmoke1000(b *testing.B) {
	const count = 1000
	e := newEnv(b, simulator.Faults{})
	req := e.request(map[string]any{"sleep": 0})
	stop := sampleHeap()
	cpu0 := cpuTime()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s, err := smoke.Run(context.Background(), e.hub, e.client, smoke.Config{Count: count, Concurrency: 50, Request: req})
		if err != nil {
			b.Fatal(err)
		}
		if n := s.Counts["succeeded"]; n != count {
			b.Fatalf("%d of %d succeeded: %v", n, count, s.Counts)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	peak := stop()
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*count), "cpu-µs/prediction")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*count), "wall-µs/prediction")
}

// sampleHeap samples HeapInuse until the returned function is called, which
// returns the largest value seen.
func sampleHeap() func() uint64 {
	var (
		mu   sync.Mutex
		peak uint64
		wg   sync.WaitGroup
	)
	done := make(chan struct{})
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		peak = max(peak, ms.HeapInuse)
		mu.Unlock()
	}
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

package alert_test

import (
	"fmt"
	"time"

	"github.com/notifier-dev/notifier/internal/notify/alert"
)

func ExampleTracker() {
	// Alert when 20% of at least 5 predictions completed in 10 minutes fail.
	t := alert.New(0.2, 10*time.Minute, 5)
	start := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for i, status := range []string{"succeeded", "failed", "succeeded", "succeeded", "succeeded", "failed", "succeeded"} {
		if tr := t.Observe(status, start.Add(time.Duration(i)*time.Minute)); tr != alert.None {
			c := t.Counts()
			fmt.Printf("%s: %d of %d failed\n", tr, c.Failures, c.Total)
		}
	}
	// At 12:15:30 the last failure (12:05) has left the 10-minute window.
	if tr := t.Check(start.Add(15*time.Minute + 30*time.Second)); tr != alert.None {
		fmt.Printf("%s: %d of %d failed\n", tr, t.Counts().Failures, t.Counts().Total)
	}
	// Output:
	// fired: 1 of 5 failed
	// recovered: 0 of 1 failed
}

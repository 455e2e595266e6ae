//go:build !unix

package smoke_test

import "time"

// cpuTime is not measured here; the benchmark then leaves the metric out.
func cpuTime() time.Duration { return 0 }

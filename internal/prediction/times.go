package prediction

import (
	"time"

	"github.com/replicate/replicate-go"
)

// Times are a prediction's timestamps, parsed; a zero field was absent or
// unparsable.
type Times struct {
	Created, Started, Completed time.Time
}

// TimesOf parses p's created_at, started_at and completed_at.
func TimesOf(p *replicate.Prediction) Times {
	return Times{Created: Timestamp(&p.CreatedAt), Started: Timestamp(p.StartedAt), Completed: Timestamp(p.CompletedAt)}
}

// Timestamp parses an API timestamp (RFC 3339 with fractional seconds);
// nil, empty or malformed gives the zero time.
func Timestamp(s *string) time.Time {
	if s == nil || *s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Queue is Started - Created: how long the prediction waited to start.
func (t Times) Queue() (time.Duration, bool) { return between(t.Created, t.Started) }

// Run is Completed - Started: how long it ran.
func (t Times) Run() (time.Duration, bool) { return between(t.Started, t.Completed) }

// Total is Completed - Created.
func (t Times) Total() (time.Duration, bool) { return between(t.Created, t.Completed) }

func between(from, to time.Time) (time.Duration, bool) {
	if from.IsZero() || to.IsZero() {
		return 0, false
	}
	return to.Sub(from), true
}

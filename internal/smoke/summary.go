package smoke

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/watch"
)

// Verdict is how a run is judged against its thresholds.
type Verdict int

// The verdicts, in the order they are checked.
const (
	// Passed: within the thresholds.
	Passed Verdict = iota
	// TooManyFailures: more predictions did not succeed than allowed.
	TooManyFailures
	// TooSlow: the p95 of total time exceeded its bound.
	TooSlow
)

// String is "passed", "failures" or "slow".
func (v Verdict) String() string {
	switch v {
	case Passed:
		return "passed"
	case TooManyFailures:
		return "failures"
	case TooSlow:
		return "slow"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Stats describes a set of durations. Percentiles use the nearest-rank
// method: P is the smallest value such that at least P% of the values are
// less than or equal to it, i.e. the ceil(P/100*N)-th smallest (so always
// one of the values, never an interpolation).
type Stats struct {
	Min, P50, P95, Max time.Duration
	N                  int // how many values; all fields are zero when N is 0
}

// StatsOf computes the Stats of ds, which it sorts in place.
func StatsOf(ds []time.Duration) Stats {
	if len(ds) == 0 {
		return Stats{}
	}
	slices.Sort(ds)
	return Stats{Min: ds[0], P50: percentile(ds, 50), P95: percentile(ds, 95), Max: ds[len(ds)-1], N: len(ds)}
}

// percentile returns the nearest-rank p-th percentile of sorted, non-empty ds.
func percentile(ds []time.Duration, p int) time.Duration {
	rank := (p*len(ds) + 99) / 100 // ceil(p/100*N), in integers to avoid rounding surprises
	return ds[max(rank, 1)-1]
}

// Thresholds are the bounds a run is judged by, as the CLI was given them.
type Thresholds struct {
	MaxFailures int           // predictions that may not succeed
	MaxP95      time.Duration // bound on the p95 of total time; 0 = none
}

// Summary is the outcome of a run.
type Summary struct {
	Count   int            // predictions asked for; len(Records) is less when the run was stopped
	Counts  map[string]int // records by status
	ByPoll  int            // results learned by the safety-net poll rather than by webhook
	Queue   Stats          // created → started
	Predict Stats          // predict_time
	Total   Stats          // created → completed
	Lag     Stats          // completed → received
	Records []Record       // by Index
	Started time.Time      // when Run began
	Wall    time.Duration  // how long Run took
	// Thresholds, when the caller sets them, are included with the verdict
	// they give in the JSON form.
	Thresholds *Thresholds
	// ExitCode is the exit code the caller gives the verdict, shown in the
	// JSON form beside it.
	ExitCode int
	// Stopped, when the run was cut short (Ctrl-C, a timeout), says so, e.g.
	// "interrupted; 37 of 100 predictions finished": the JSON verdict is then
	// "stopped" with this reason, whatever the thresholds would say of the
	// records so far, and ExitCode is the caller's code for the stop.
	Stopped string
}

// Summarize builds the summary of records out of count predictions. The
// statistics of a duration cover every record for which it is known,
// whatever its status. Run sets Started and Wall; a caller showing progress
// can summarise the records it has so far.
func Summarize(count int, records []Record) *Summary {
	s := &Summary{Count: count, Counts: map[string]int{}, Records: slices.Clone(records)}
	slices.SortFunc(s.Records, func(a, b Record) int { return cmp.Compare(a.Index, b.Index) })
	var queue, predict, total, lag []time.Duration
	for i := range s.Records {
		r := &s.Records[i]
		s.Counts[r.Status]++
		if r.Via == watch.ViaPoll {
			s.ByPoll++
		}
		q, p, t, l := r.timings()
		queue, predict = appendIf(queue, r.Queue, q), appendIf(predict, r.Predict, p)
		total, lag = appendIf(total, r.Total, t), appendIf(lag, r.Lag, l)
	}
	s.Queue, s.Predict, s.Total, s.Lag = StatsOf(queue), StatsOf(predict), StatsOf(total), StatsOf(lag)
	return s
}

func appendIf(ds []time.Duration, d time.Duration, ok bool) []time.Duration {
	if ok {
		return append(ds, d)
	}
	return ds
}

// Failures returns how many recorded predictions did not succeed.
func (s *Summary) Failures() int {
	return len(s.Records) - s.Counts[string(replicate.Succeeded)]
}

// Verdict judges the run: TooManyFailures when more than maxFailures
// predictions did not succeed, else TooSlow when maxP95 > 0 and the p95 of
// total time exceeds it, else Passed. The reason says why in a lowercase
// phrase.
func (s *Summary) Verdict(maxFailures int, maxP95 time.Duration) (v Verdict, reason string) {
	if f := s.Failures(); f > maxFailures {
		return TooManyFailures, fmt.Sprintf("%d of %d predictions did not succeed (at most %d allowed)", f, len(s.Records), maxFailures)
	}
	if maxP95 > 0 && s.Total.N > 0 && s.Total.P95 > maxP95 {
		return TooSlow, fmt.Sprintf("p95 of total time %s exceeds %s", round(s.Total.P95), maxP95)
	}
	return Passed, fmt.Sprintf("%d of %d predictions succeeded", s.Counts[string(replicate.Succeeded)], len(s.Records))
}

// Table returns the latency statistics as rows of text, a header first:
// name, n, min, p50, p95, max.
func (s *Summary) Table() [][]string {
	rows := [][]string{{"", "n", "min", "p50", "p95", "max"}}
	for _, st := range []struct {
		name string
		st   Stats
	}{{"queue", s.Queue}, {"predict", s.Predict}, {"total", s.Total}, {"webhook lag", s.Lag}} {
		row := []string{st.name, fmt.Sprint(st.st.N), "-", "-", "-", "-"}
		if st.st.N > 0 {
			row = append(row[:2], round(st.st.Min), round(st.st.P50), round(st.st.P95), round(st.st.Max))
		}
		rows = append(rows, row)
	}
	return rows
}

// round formats d for people with about three significant digits, so that
// fast figures keep their precision: 400ns, 12µs, 431µs, 1.43ms, 12.3ms,
// 123ms; from a second on, to the hundredth of a second: 1.23s, 12.35s,
// 2m3.46s.
func round(d time.Duration) string {
	var unit time.Duration
	switch a := d.Abs(); {
	case a < time.Microsecond:
		return d.String()
	case a < time.Millisecond:
		unit = time.Microsecond
	case a < 10*time.Millisecond:
		unit = 10 * time.Microsecond
	case a < 100*time.Millisecond:
		unit = 100 * time.Microsecond
	case a < time.Second:
		unit = time.Millisecond
	default:
		unit = 10 * time.Millisecond
	}
	return d.Round(unit).String()
}

package smoke

import (
	"strings"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/watch"
)

// Statuses of records beyond the prediction statuses Replicate reports.
const (
	// StatusError marks a prediction whose create call failed.
	StatusError = "error"
	// StatusStopped marks a prediction the run stopped waiting for, without
	// canceling it (NoCancel, or the cancel call failed), or whose create
	// call was cut short by the end of the run.
	StatusStopped = "stopped"
)

// LogTailLines is how many of the last log lines a record keeps.
const LogTailLines = 20

// Record is how one prediction of the run went. It keeps no raw JSON, so
// that a long run stays small in memory.
type Record struct {
	Index  int    // the prediction's number in the run, from 1, in launch order
	ID     string // empty when it was never created
	Status string // a prediction status, StatusError or StatusStopped
	Error  string // the prediction's error, or why the run lost it
	// LogTail holds the last LogTailLines log lines of a prediction that did
	// not succeed; nil for one that did.
	LogTail []string

	CreatedAt, StartedAt, CompletedAt time.Time     // as Replicate reports them; zero when unknown
	ReceivedAt                        time.Time     // when the terminal state was learned
	Queue                             time.Duration // StartedAt - CreatedAt
	Predict                           time.Duration // metrics.predict_time, else CompletedAt - StartedAt
	Total                             time.Duration // CompletedAt - CreatedAt
	// Lag is ReceivedAt - CompletedAt: the webhook's delay, or the poll's. It
	// mixes Replicate's clock and ours, so skew shows in it (even below zero).
	Lag time.Duration
	Via watch.Via // how the terminal state was learned; empty for stopped or errors
}

// Succeeded reports whether the prediction succeeded.
func (r Record) Succeeded() bool { return r.Status == string(replicate.Succeeded) }

// timings reports which of the durations are known.
func (r Record) timings() (queue, predict, total, lag bool) {
	created, started, completed := !r.CreatedAt.IsZero(), !r.StartedAt.IsZero(), !r.CompletedAt.IsZero()
	return created && started, started && completed, created && completed, completed && !r.ReceivedAt.IsZero()
}

// newRecord makes the record of prediction i from its watch result.
func newRecord(i int, res *watch.Result) Record {
	r := Record{Index: i, ReceivedAt: res.ReceivedAt, Via: res.Via}
	r.fill(res.Prediction)
	return r
}

// stoppedRecord makes the record of prediction i whose watch ended with the
// run: from the cancel call's answer if there was one, else from the
// create call's.
func stoppedRecord(i int, created, canceled *replicate.Prediction, se *watch.StoppedError) Record {
	r := Record{Index: i, ID: se.PredictionID}
	if canceled != nil {
		r.fill(canceled)
	} else if created != nil {
		r.fill(created)
	}
	r.Status, r.Error = StatusStopped, se.Error()
	if se.Canceled {
		r.Status = string(replicate.Canceled)
	}
	return r
}

// fill copies what the record keeps of p, and computes the durations.
func (r *Record) fill(p *replicate.Prediction) {
	r.ID, r.Status, r.Error = p.ID, string(p.Status), prediction.ErrorText(p.Error)
	if p.Logs != nil && !r.Succeeded() {
		r.LogTail = tail(*p.Logs, LogTailLines)
	}
	tm := prediction.TimesOf(p)
	r.CreatedAt, r.StartedAt, r.CompletedAt = tm.Created, tm.Started, tm.Completed
	r.Queue = r.StartedAt.Sub(r.CreatedAt)
	r.Predict = r.CompletedAt.Sub(r.StartedAt)
	if p.Metrics != nil && p.Metrics.PredictTime != nil {
		r.Predict = time.Duration(*p.Metrics.PredictTime * float64(time.Second))
	}
	r.Total = r.CompletedAt.Sub(r.CreatedAt)
	r.Lag = r.ReceivedAt.Sub(r.CompletedAt)
	queue, predict, total, lag := r.timings()
	r.Queue, r.Predict = keep(r.Queue, queue), keep(r.Predict, predict)
	r.Total, r.Lag = keep(r.Total, total), keep(r.Lag, lag)
}

// keep returns d if it is known, else 0.
func keep(d time.Duration, known bool) time.Duration {
	if known {
		return d
	}
	return 0
}

// tail returns the last n lines of logs, copied so that the logs themselves
// can be freed.
func tail(logs string, n int) []string {
	logs = strings.TrimRight(logs, "\n")
	if logs == "" {
		return nil
	}
	lines := strings.Split(logs, "\n")
	lines = lines[max(len(lines)-n, 0):]
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.Clone(strings.TrimSuffix(l, "\r"))
	}
	return out
}

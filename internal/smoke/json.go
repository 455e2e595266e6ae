package smoke

import (
	"encoding/json"
	"math"
	"time"
)

// seconds renders d as seconds, to the microsecond.
func seconds(d time.Duration) float64 {
	return math.Round(d.Seconds()*1e6) / 1e6
}

// optSeconds is seconds(d) when known, else nil (JSON null or omitted).
func optSeconds(d time.Duration, known bool) *float64 {
	if !known {
		return nil
	}
	s := seconds(d)
	return &s
}

type statsJSON struct {
	N   int      `json:"n"`
	Min *float64 `json:"min_s"`
	P50 *float64 `json:"p50_s"`
	P95 *float64 `json:"p95_s"`
	Max *float64 `json:"max_s"`
}

// MarshalJSON renders durations as seconds, "p95_s" and so on; they are
// null when N is 0.
func (s Stats) MarshalJSON() ([]byte, error) {
	ok := s.N > 0
	return json.Marshal(statsJSON{N: s.N, Min: optSeconds(s.Min, ok), P50: optSeconds(s.P50, ok),
		P95: optSeconds(s.P95, ok), Max: optSeconds(s.Max, ok)})
}

type recordJSON struct {
	Index       int       `json:"index"`
	ID          string    `json:"id,omitempty"`
	Status      string    `json:"status"`
	Error       string    `json:"error,omitempty"`
	Via         string    `json:"via,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	StartedAt   time.Time `json:"started_at,omitzero"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
	ReceivedAt  time.Time `json:"received_at,omitzero"`
	Queue       *float64  `json:"queue_s,omitempty"`
	Predict     *float64  `json:"predict_s,omitempty"`
	Total       *float64  `json:"total_s,omitempty"`
	Lag         *float64  `json:"lag_s,omitempty"`
	LogTail     []string  `json:"log_tail,omitempty"`
}

// MarshalJSON renders durations as seconds ("total_s") and leaves out
// unknown times and durations.
func (r Record) MarshalJSON() ([]byte, error) {
	q, p, t, l := r.timings()
	return json.Marshal(recordJSON{
		Index: r.Index, ID: r.ID, Status: r.Status, Error: r.Error, Via: string(r.Via),
		CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, CompletedAt: r.CompletedAt, ReceivedAt: r.ReceivedAt,
		Queue: optSeconds(r.Queue, q), Predict: optSeconds(r.Predict, p),
		Total: optSeconds(r.Total, t), Lag: optSeconds(r.Lag, l), LogTail: r.LogTail,
	})
}

type thresholdsJSON struct {
	MaxFailures int      `json:"max_failures"`
	MaxP95      *float64 `json:"max_p95_s"` // null: no bound
}

type verdictJSON struct {
	Result string `json:"result"`
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

type summaryJSON struct {
	Count      int             `json:"count"`
	Done       int             `json:"done"`
	Failures   int             `json:"failures"`
	Counts     map[string]int  `json:"counts"`
	ByPoll     int             `json:"by_poll"`
	Started    time.Time       `json:"started_at,omitzero"`
	Wall       float64         `json:"wall_s"`
	Thresholds *thresholdsJSON `json:"thresholds,omitempty"`
	Verdict    *verdictJSON    `json:"verdict,omitempty"`
	Queue      Stats           `json:"queue"`
	Predict    Stats           `json:"predict"`
	Total      Stats           `json:"total"`
	Lag        Stats           `json:"lag"`
	Records    []Record        `json:"records"`
}

// MarshalJSON renders the summary for --json: counts, statistics with
// durations in seconds, "done" (the records present, fewer than "count"
// when the run was stopped), every record, and, when Thresholds is set, the
// thresholds and the verdict they give.
func (s *Summary) MarshalJSON() ([]byte, error) {
	out := summaryJSON{
		Count: s.Count, Done: len(s.Records), Failures: s.Failures(), Counts: s.Counts, ByPoll: s.ByPoll,
		Started: s.Started, Wall: seconds(s.Wall),
		Queue: s.Queue, Predict: s.Predict, Total: s.Total, Lag: s.Lag, Records: s.Records,
	}
	if out.Counts == nil {
		out.Counts = map[string]int{}
	}
	if out.Records == nil {
		out.Records = []Record{}
	}
	if t := s.Thresholds; t != nil {
		out.Thresholds = &thresholdsJSON{MaxFailures: t.MaxFailures, MaxP95: optSeconds(t.MaxP95, t.MaxP95 > 0)}
		v, reason := s.Verdict(t.MaxFailures, t.MaxP95)
		out.Verdict = &verdictJSON{Result: v.String(), Code: s.ExitCode, Reason: reason}
		if s.Stopped != "" {
			out.Verdict = &verdictJSON{Result: "stopped", Code: s.ExitCode, Reason: s.Stopped}
		}
	}
	return json.Marshal(out)
}

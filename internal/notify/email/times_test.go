package email

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestPredictTimeRounded: metrics.predict_time is shown for people, to the
// millisecond (to the microsecond under one), not with every digit sent.
func TestPredictTimeRounded(t *testing.T) {
	for _, tt := range []struct{ predictTime, want string }{
		{"1.00009537", "1s"},
		{"2.3456", "2.346s"},
		{"0.000043", "43µs"},
		{"0.0004999", "500µs"},
		{"0", "0s"},
	} {
		body := `{"id":"p1","model":"m/n","status":"succeeded","created_at":"2025-01-02T03:04:05.100Z",` +
			`"started_at":"2025-01-02T03:04:05.1002Z","completed_at":"2025-01-02T03:04:05.1006Z",` +
			`"metrics":{"predict_time":` + tt.predictTime + `},"output":null}`
		m := build(t, body, BuildOptions{})
		if !strings.Contains(m.Text, "\nPredict time: "+tt.want+"\n") {
			t.Errorf("predict_time %s: text lacks %q:\n%s", tt.predictTime, "Predict time: "+tt.want, m.Text)
		}
		if !strings.Contains(m.HTML, "<th align=\"left\">Predict time</th><td>"+tt.want+"</td>") {
			t.Errorf("predict_time %s: HTML lacks %s", tt.predictTime, tt.want)
		}
		// Sub-millisecond durations between timestamps keep their digits too.
		if !strings.Contains(m.Text, "\nRan for:      400µs\n") {
			t.Errorf("text lacks the run time:\n%s", m.Text)
		}
	}
}

func TestShowSeconds(t *testing.T) {
	for _, tt := range []struct {
		f    float64
		want string
	}{
		{1.00009537, "1s"},
		{-0.25, "-250ms"},
		{math.NaN(), "NaNs"},
		{math.Inf(1), "+Infs"},
		{9.3e9, "9.3e+09s"}, // past what a Duration holds
		{90.123456789, "1m30.123s"},
	} {
		if got := showSeconds(tt.f); got != tt.want {
			t.Errorf("showSeconds(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
	if got := showDuration(431 * time.Microsecond); got != "431µs" {
		t.Errorf("showDuration(431µs) = %q", got)
	}
}

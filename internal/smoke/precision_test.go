package smoke_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/smoke"
)

// TestTablePrecision: figures under a millisecond keep their digits in the
// table instead of reading 0s.
func TestTablePrecision(t *testing.T) {
	us := time.Microsecond
	s := smoke.Summarize(3, []smoke.Record{
		rec(1, "succeeded", 12*us, 430*us, 400*time.Nanosecond),
		rec(2, "succeeded", 1434*us, 12345*us, 123456*us),
		rec(3, "succeeded", 999700*us, 1234567*us, -2*time.Millisecond),
	})
	want := [][]string{
		{"", "n", "min", "p50", "p95", "max"},
		{"queue", "3", "12µs", "1.43ms", "1s", "1s"}, // 999.7ms rounds to the millisecond
		{"predict", "3", "430µs", "12.3ms", "1.23s", "1.23s"},
		{"total", "3", "442µs", "13.8ms", "2.23s", "2.23s"},
		{"webhook lag", "3", "-2ms", "400ns", "123ms", "123ms"},
	}
	got := s.Table()
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Table =\n%q\nwant\n%q", got, want)
	}
}

// TestJUnitPrecision: a prediction that took 0.43 ms is not 0.000 s.
func TestJUnitPrecision(t *testing.T) {
	us := time.Microsecond
	s := smoke.Summarize(3, []smoke.Record{
		rec(1, "succeeded", 0, 430*us, 0),
		rec(2, "succeeded", 0, 1550*time.Millisecond, 0),
		rec(3, "succeeded", 1*us, 4*us, 0),
	})
	s.Wall = 2500 * time.Millisecond
	var b bytes.Buffer
	if err := smoke.WriteJUnit(&b, s, "smoke"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<testcase name="prediction 1 px" classname="smoke" time="0.00043">`,
		`<testcase name="prediction 2 pxx" classname="smoke" time="1.550">`,
		`<testcase name="prediction 3 pxxx" classname="smoke" time="0.000005">`,
		`<testsuite name="smoke" tests="3" failures="0" errors="0" skipped="0" time="2.500">`,
		`<property name="predict_p50_s" value="0.00043">`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %s:\n%s", want, b.String())
		}
	}
}

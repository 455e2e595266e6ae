package smoke_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/smoke"
)

// TestWriteJUnitGolden checks the whole report of a run stopped after four
// of five predictions: a pass, a pass by poll, a failure with its logs, a
// create error, and one never launched.
func TestWriteJUnitGolden(t *testing.T) {
	s := smoke.Summarize(5, sample())
	s.Started, s.Wall = t0, 2500*time.Millisecond
	var buf bytes.Buffer
	if err := smoke.WriteJUnit(&buf, s, "smoke <zeke/chaos-monkey>"); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="smoke &lt;zeke/chaos-monkey&gt;" tests="5" failures="1" errors="1" skipped="1" time="2.500">
  <testsuite name="smoke &lt;zeke/chaos-monkey&gt;" tests="5" failures="1" errors="1" skipped="1" time="2.500" timestamp="2025-01-02T03:04:05">
    <properties>
      <property name="count" value="5"></property>
      <property name="succeeded" value="2"></property>
      <property name="by_poll" value="1"></property>
      <property name="queue_p50_s" value="0.100"></property>
      <property name="queue_p95_s" value="0.200"></property>
      <property name="predict_p50_s" value="1.500"></property>
      <property name="predict_p95_s" value="2.000"></property>
      <property name="total_p50_s" value="1.550"></property>
      <property name="total_p95_s" value="2.100"></property>
      <property name="lag_p50_s" value="0.020"></property>
      <property name="lag_p95_s" value="0.030"></property>
    </properties>
    <testcase name="prediction 1 px" classname="smoke &lt;zeke/chaos-monkey&gt;" time="1.550"></testcase>
    <testcase name="prediction 2 pxx" classname="smoke &lt;zeke/chaos-monkey&gt;" time="2.100"></testcase>
    <testcase name="prediction 3 pxxx" classname="smoke &lt;zeke/chaos-monkey&gt;" time="1.200">
      <failure message="failed: boom" type="failed">status: failed&#xA;prediction: pxxx&#xA;error: boom&#xA;last 2 log lines:&#xA;starting&#xA;error: boom&#xA;</failure>
    </testcase>
    <testcase name="prediction 4" classname="smoke &lt;zeke/chaos-monkey&gt;" time="0.000">
      <error message="error: creating prediction: 422 invalid version" type="error">status: error&#xA;error: creating prediction: 422 invalid version&#xA;</error>
    </testcase>
    <testcase name="prediction 5" classname="smoke &lt;zeke/chaos-monkey&gt;" time="0.000">
      <skipped message="not run: the run was stopped first"></skipped>
    </testcase>
  </testsuite>
</testsuites>
`
	if got := buf.String(); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

// TestWriteJUnitEscapes checks that text no XML may hold (terminal escape
// codes in logs) still gives a report that parses, and that long messages
// are cut at a character boundary.
func TestWriteJUnitEscapes(t *testing.T) {
	r := rec(1, "failed", time.Millisecond, time.Second, time.Millisecond)
	r.Error = strings.Repeat("é", 300) + " ]]> <x>"
	r.LogTail = []string{"\x1b[31mred\x1b[0m", "nul \x00 byte"}
	var buf bytes.Buffer
	if err := smoke.WriteJUnit(&buf, smoke.Summarize(1, []smoke.Record{r}), "s"); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("report does not parse: %v\n%s", err, buf.Bytes())
	}
	f := doc.Suites[0].Cases[0].Failure
	if f == nil || !strings.HasSuffix(f.Message, "é...") || len(f.Message) > 510 {
		t.Errorf("message %q", f.Message)
	}
	if !strings.Contains(f.Text, "]]> <x>") || !strings.Contains(f.Text, "red") {
		t.Errorf("text %q", f.Text)
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteJUnitWriteError(t *testing.T) {
	err := smoke.WriteJUnit(failWriter{}, smoke.Summarize(0, nil), "s")
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteJUnit = %v, want the write error", err)
	}
}

// junitDoc is the part of a JUnit report the tests read back.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Tests     int    `xml:"tests,attr"`
		Failures  int    `xml:"failures,attr"`
		Timestamp string `xml:"timestamp,attr"`
		Cases     []struct {
			Name    string   `xml:"name,attr"`
			Failure *problem `xml:"failure"`
			Error   *problem `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

type problem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

package smoke

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/replicate/replicate-go"
)

// The JUnit XML shape that GitLab, Jenkins (junit plugin) and the GitHub
// test-report actions read: testsuites > testsuite > testcase, with
// failure, error or skipped children. Times are seconds.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name string `xml:"name,attr"`
		junitCounts
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitCounts struct {
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure,omitempty"`
		Error     *junitProblem `xml:"error,omitempty"`
		Skipped   *junitProblem `xml:"skipped,omitempty"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Text    string `xml:",chardata"`
	}
)

// maxMessage bounds the message attribute; the full text is in the body.
const maxMessage = 500

// WriteJUnit writes s as a JUnit XML report with one testsuite named
// suiteName and one testcase per prediction, named "prediction 7 <id>".
// A prediction that failed, was canceled or aborted is a <failure> whose
// type is its status and whose body holds the error and the last log lines;
// one whose create call failed, or that the run stopped waiting for, is an
// <error>; one never launched because the run was stopped is <skipped>.
func WriteJUnit(w io.Writer, s *Summary, suiteName string) error {
	suite := junitSuite{Name: suiteName, Properties: properties(s)}
	if !s.Started.IsZero() {
		// xs:dateTime without a zone, as the JUnit schema has it.
		suite.Timestamp = s.Started.UTC().Format("2006-01-02T15:04:05")
	}
	seen := make(map[int]bool, len(s.Records))
	for i := range s.Records {
		r := &s.Records[i]
		seen[r.Index] = true
		suite.add(testcase(r, suiteName))
	}
	for i := 1; i <= s.Count; i++ {
		if !seen[i] {
			suite.add(junitCase{Name: fmt.Sprintf("prediction %d", i), Classname: suiteName, Time: secondsText(0),
				Skipped: &junitProblem{Message: "not run: the run was stopped first"}})
		}
	}
	suite.Time = secondsText(s.Wall)
	doc := junitSuites{Name: suiteName, Time: suite.Time, Suites: []junitSuite{suite}}
	doc.Tests, doc.Failures, doc.Errors, doc.Skipped = suite.Tests, suite.Failures, suite.Errors, suite.Skipped
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("writing junit report: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing junit report: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("writing junit report: %w", err)
	}
	return nil
}

// add appends c and counts it.
func (s *junitSuite) add(c junitCase) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
}

// testcase renders one record.
func testcase(r *Record, suiteName string) junitCase {
	c := junitCase{Name: strings.TrimSpace(fmt.Sprintf("prediction %d %s", r.Index, r.ID)), Classname: suiteName,
		Time: secondsText(r.Total)}
	if r.Succeeded() {
		return c
	}
	p := &junitProblem{Message: message(r), Type: r.Status, Text: details(r)}
	switch r.Status {
	case StatusError, StatusStopped:
		c.Error = p
	default:
		c.Failure = p
	}
	return c
}

// message is the one-line summary of a record that did not succeed.
func message(r *Record) string {
	m := r.Status
	if r.Error != "" {
		m += ": " + r.Error
	}
	m = strings.Join(strings.Fields(m), " ")
	if len(m) > maxMessage {
		n := maxMessage
		for n > 0 && !utf8.RuneStart(m[n]) {
			n--
		}
		m = m[:n] + "..."
	}
	return m
}

// details is the body of a failure: status, error, and the last log lines.
func details(r *Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "status: %s\n", r.Status)
	if r.ID != "" {
		fmt.Fprintf(&b, "prediction: %s\n", r.ID)
	}
	if r.Error != "" {
		fmt.Fprintf(&b, "error: %s\n", r.Error)
	}
	if len(r.LogTail) > 0 {
		fmt.Fprintf(&b, "last %d log lines:\n%s\n", len(r.LogTail), strings.Join(r.LogTail, "\n"))
	}
	return b.String()
}

// properties carries the run's figures, which Jenkins shows with the suite.
func properties(s *Summary) []junitProperty {
	ps := []junitProperty{
		{"count", fmt.Sprint(s.Count)},
		{"succeeded", fmt.Sprint(s.Counts[string(replicate.Succeeded)])},
		{"by_poll", fmt.Sprint(s.ByPoll)},
	}
	for _, st := range []struct {
		name string
		st   Stats
	}{{"queue", s.Queue}, {"predict", s.Predict}, {"total", s.Total}, {"lag", s.Lag}} {
		if st.st.N > 0 {
			ps = append(ps, junitProperty{st.name + "_p50_s", secondsText(st.st.P50)},
				junitProperty{st.name + "_p95_s", secondsText(st.st.P95)})
		}
	}
	return ps
}

// secondsText renders d in seconds for a time attribute or property: to the
// microsecond, with at least three decimals (1.550, 0.00043), so that a
// test that took 0.4 ms does not read 0.000.
func secondsText(d time.Duration) string {
	s := strconv.FormatFloat(d.Seconds(), 'f', 6, 64)
	for strings.HasSuffix(s, "0") && len(s)-strings.IndexByte(s, '.') > 4 {
		s = s[:len(s)-1]
	}
	return s
}

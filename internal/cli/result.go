package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/replicate/replicate-go"
)

// reportResult prints a terminal prediction (progress to stderr, data to
// stdout) and returns the error that carries its exit code.
func reportResult(ios *IOStreams, pr *progress, res *watch.Result, asJSON bool) error {
	p := res.Prediction
	pr.line(resultLine(res))
	if res.Via == watch.ViaPoll {
		pr.warnf("webhook not received; result fetched by polling")
	}
	raw := predictionJSON(p)
	var err error
	if asJSON {
		err = writeCompact(ios.Out, raw)
	} else {
		err = writeOutput(ios.Out, raw)
	}
	if err != nil {
		return fmt.Errorf("writing result: %w", err)
	}
	return statusError(p)
}

// statusError maps a terminal status to its exit code (DESIGN.md §2).
func statusError(p *replicate.Prediction) error {
	switch p.Status {
	case replicate.Succeeded:
		return nil
	case replicate.Failed:
		msg := "no error message"
		if p.Error != nil {
			msg = fmt.Sprint(p.Error)
		}
		return withCode(exitFailed, fmt.Errorf("prediction %s failed: %s", p.ID, oneLine(msg)))
	case replicate.Canceled:
		return withCode(exitCanceled, fmt.Errorf("prediction %s was canceled", p.ID))
	case watch.Aborted:
		return withCode(exitCanceled, fmt.Errorf("prediction %s was aborted: its deadline passed before it started", p.ID))
	}
	return fmt.Errorf("prediction %s ended in unknown status %q", p.ID, p.Status)
}

// predictionJSON is the prediction as received, or re-encoded if it was built in memory.
func predictionJSON(p *replicate.Prediction) json.RawMessage {
	if raw := p.RawJSON(); len(raw) > 0 {
		return raw
	}
	raw, _ := json.Marshal(p)
	return raw
}

func writeCompact(w io.Writer, raw json.RawMessage) error {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// writeOutput prints the prediction's output: a string as-is, null as nothing,
// any other JSON pretty-printed, keeping numbers exactly as received.
func writeOutput(w io.Writer, raw json.RawMessage) error {
	var fields struct {
		Output json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return err
	}
	out := bytes.TrimSpace(fields.Output)
	if len(out) == 0 || string(out) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(out, &s) == nil {
		if !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		_, err := io.WriteString(w, s)
		return err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, out, "", "  "); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// oneLine keeps an error message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

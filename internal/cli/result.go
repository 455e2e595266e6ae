package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/watch"
)

// reportResult prints a terminal prediction (progress to stderr, data to
// stdout) and returns the error that carries its exit code.
func reportResult(ios *IOStreams, pr *progress, res *watch.Result, asJSON bool) error {
	p := res.Prediction
	pr.line(resultLine(res))
	if res.Via == watch.ViaPoll {
		pr.warnf("webhook not received; result fetched by polling")
	}
	raw, replaced := validUTF8(predictionJSON(p))
	if replaced {
		pr.warnf("the prediction held invalid UTF-8; it was replaced with U+FFFD")
	}
	var err error
	if asJSON {
		err = writeCompact(ios.Out, raw)
	} else {
		err = writeOutput(ios.Out, raw, ios.OutTTY)
	}
	if err != nil {
		return fmt.Errorf("writing result: %w", err)
	}
	return statusError(p)
}

// statusError maps a terminal status to its exit code (docs/usage.md, "Exit codes").
func statusError(p *replicate.Prediction) error {
	switch p.Status {
	case replicate.Succeeded:
		return nil
	case replicate.Failed:
		msg := prediction.ErrorText(p.Error)
		if msg == "" {
			msg = "no error message"
		}
		return withCode(exitFailed, fmt.Errorf("prediction %s failed: %s", p.ID, oneLine(msg)))
	case replicate.Canceled:
		return withCode(exitCanceled, fmt.Errorf("prediction %s was canceled", p.ID))
	case prediction.Aborted:
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

// writeOutput prints the prediction's output: a string as-is, null as
// nothing, any other JSON pretty-printed, keeping numbers exactly as
// received. On a terminal, control characters in a string other than
// newlines and tabs are shown escaped, so an output cannot drive the
// terminal; piped, the output is exact.
func writeOutput(w io.Writer, raw json.RawMessage, tty bool) error {
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
		if tty {
			s = cleanText(s)
		}
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

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding output: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}

// jsonEncode writes v as compact JSON, HTML characters as they are.
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

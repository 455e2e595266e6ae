package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/watch"
)

// report prints the result as the flags ask: streamed (the output is
// already out), saved into --output-dir, or printed.
func (s *runSession) report(ctx context.Context, res *watch.Result, sp *streamPrinter) error {
	p := res.Prediction
	switch {
	case sp != nil:
		s.pr.line(resultLine(res))
		if res.Via == watch.ViaPoll {
			s.pr.warnf("webhook not received; result fetched by polling")
		}
		if !sp.complete(p) && p.Status == replicate.Succeeded {
			s.pr.warnf("the stream broke off (%v); the complete output follows", sp.err)
			raw, _ := validUTF8(predictionJSON(p))
			if err := writeOutput(s.io.Out, raw, s.io.OutTTY); err != nil {
				return fmt.Errorf("writing result: %w", err)
			}
		}
		return s.deadlineHint(p, statusError(p))
	case s.plan.outputDir != "" && p.Status == replicate.Succeeded:
		return s.saveOutputs(ctx, res)
	}
	err := reportResult(s.io, s.pr, res, s.plan.json)
	fileNotes(s.pr, p)
	return s.deadlineHint(p, err)
}

// deadlineHint explains a cancellation when the prediction had a --deadline.
func (s *runSession) deadlineHint(p *replicate.Prediction, err error) error {
	if d := s.plan.request.Deadline; d > 0 && p.Status == replicate.Canceled {
		return withHint(err, fmt.Sprintf("its --deadline of %s passed, or it was canceled elsewhere; raise --deadline if it needs longer", d))
	}
	return err
}

// saveOutputs downloads the output's files into --output-dir and lists
// them on stdout (on stderr with --json, which has stdout).
func (s *runSession) saveOutputs(ctx context.Context, res *watch.Result) error {
	p := res.Prediction
	if s.plan.json {
		if err := reportResult(s.io, s.pr, res, true); err != nil {
			return err
		}
	} else {
		s.pr.line(resultLine(res))
		if res.Via == watch.ViaPoll {
			s.pr.warnf("webhook not received; result fetched by polling")
		}
	}
	urls := fileURLs(p.Output)
	switch {
	case dataRemoved(p): // its output is gone with its files
		return withHint(fmt.Errorf("prediction %s's output files were already removed by Replicate (data_removed)", p.ID),
			"Replicate deletes the output files of API predictions about an hour after they complete")
	case len(urls) == 0:
		s.pr.warnf("the output has no file URLs; nothing saved in %s", s.plan.outputDir)
		if !s.plan.json {
			raw, _ := validUTF8(predictionJSON(p))
			return writeOutput(s.io.Out, raw, s.io.OutTTY)
		}
		return nil
	}
	base, token := s.api.origin()
	saved, err := newDownloader(s.pr, base, token).saveAll(ctx, s.plan.outputDir, urls)
	for _, path := range saved {
		if s.plan.json {
			s.pr.infof("saved %s", path)
		} else if _, werr := fmt.Fprintln(s.io.Out, path); werr != nil {
			return fmt.Errorf("writing result: %w", werr)
		}
	}
	if err != nil {
		return withHint(err, "the prediction succeeded; its outputs are at https://replicate.com/p/"+p.ID)
	}
	return nil
}

// fileNotes says, after a result printed with file URLs in it, when
// Replicate deletes them, or that it has.
func fileNotes(pr *progress, p *replicate.Prediction) {
	switch {
	case dataRemoved(p):
		pr.warnf("Replicate has removed this prediction's input and output (data_removed): its output files are gone")
	case len(fileURLs(p.Output)) == 0:
	case p.Source == "" || p.Source == replicate.SourceAPI:
		pr.infof("note: Replicate deletes the output files of API predictions about an hour after they complete; save them with --output-dir DIR")
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// predictionFields are fields of a prediction replicate-go does not decode.
type predictionFields struct {
	Deadline    string `json:"deadline"`
	DataRemoved bool   `json:"data_removed"`
}

func extraFields(p *replicate.Prediction) predictionFields {
	var f predictionFields
	if raw := p.RawJSON(); len(raw) > 0 {
		_ = json.Unmarshal(raw, &f)
	}
	f.Deadline = strings.TrimSpace(f.Deadline)
	return f
}

func dataRemoved(p *replicate.Prediction) bool { return extraFields(p).DataRemoved }

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/watch"
)

// errNoStream is the cause of a watch stopped because the prediction
// created has no stream URL.
var errNoStream = errors.New("the prediction has no stream URL")

// streamDrain is how long after the result the rest of the stream is
// still read: its last tokens and done event can come just after the
// completed webhook.
const streamDrain = 5 * time.Second

// checkStreamable fails, before anything is created, when the model's
// output schema says it does not stream: Replicate streams the output of
// models whose Output is an iterator ("x-cog-array-type": "iterator"). A
// bare version id, or a model whose schema cannot be found, is let through:
// the created prediction's urls.stream decides.
func checkStreamable(ctx context.Context, c *replicate.Client, req watch.Request) error {
	owner, name, version := req.Owner, req.Name, req.Version
	what := owner + "/" + name
	if req.Deployment != "" {
		d, err := c.GetDeployment(ctx, strings.Split(req.Deployment, "/")[0], strings.Split(req.Deployment, "/")[1])
		if err != nil {
			return apiError("looking up deployment "+req.Deployment, err)
		}
		what = "deployment " + req.Deployment
		owner, name, _ = strings.Cut(d.CurrentRelease.Model, "/")
		version = d.CurrentRelease.Version
	}
	if owner == "" || name == "" {
		return nil
	}
	schema, err := versionSchema(ctx, c, owner, name, version)
	if err != nil {
		return apiError("looking up the output schema of "+what, err)
	}
	if streams, known := outputStreams(schema); known && !streams {
		return usageError(fmt.Errorf("%s does not stream its output: its output schema is not an iterator", what),
			"run it without --stream; its output is printed when the prediction completes")
	}
	return nil
}

// versionSchema is the OpenAPI schema of owner/name at version, or at its
// latest version when version is "".
func versionSchema(ctx context.Context, c *replicate.Client, owner, name, version string) (any, error) {
	if version != "" {
		v, err := c.GetModelVersion(ctx, owner, name, version)
		if err != nil {
			return nil, err
		}
		return v.OpenAPISchema, nil
	}
	m, err := c.GetModel(ctx, owner, name)
	if err != nil || m.LatestVersion == nil {
		return nil, err
	}
	return m.LatestVersion.OpenAPISchema, nil
}

// outputStreams reads components.schemas.Output["x-cog-array-type"];
// known is false when the schema has no Output.
func outputStreams(schema any) (streams, known bool) {
	out, ok := dig(schema, "components", "schemas", "Output").(map[string]any)
	if !ok {
		return false, false
	}
	return out["x-cog-array-type"] == "iterator", true
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// streamPrinter prints a prediction's output from its stream, token by
// token, as it is generated.
type streamPrinter struct {
	client *replicate.Client
	out    io.Writer
	tty    bool

	cancel context.CancelFunc
	done   chan struct{}
	// Set by the reading goroutine before done is closed.
	err     error           // why the stream ended before its done event; nil after it
	seen    map[string]bool // ids of the output events printed
	printed strings.Builder // the output printed, as received
	lastNL  bool            // the last output printed ended in a newline
}

// start reads p's stream in the background; it fails when p has none.
func (s *streamPrinter) start(ctx context.Context, p *replicate.Prediction) error {
	if p.URLs["stream"] == "" {
		return errNoStream
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.done, s.seen = make(chan struct{}), map[string]bool{}
	go s.read(ctx, p)
	return nil
}

func (s *streamPrinter) read(ctx context.Context, p *replicate.Prediction) {
	defer close(s.done)
	events, errs := s.client.StreamPrediction(ctx, p)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				s.err = errors.New("the stream closed before its done event")
				return
			}
			if s.handle(e) {
				return
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil // closed: the events channel says the rest
				continue
			}
			if err != nil {
				// replicate-go can lose the done event at the stream's
				// close: report compares the output with what was printed.
				s.err = err
				return
			}
		case <-ctx.Done():
			s.err = context.Cause(ctx)
			return
		}
	}
}

// handle prints an output event; it reports whether the stream ended: a
// done event or an error event (s.err set). An event seen before, by its
// id, is skipped: replicate-go reconnects without Last-Event-ID, and the
// stream then starts over.
func (s *streamPrinter) handle(e replicate.SSEEvent) bool {
	switch e.Type {
	case replicate.SSETypeOutput:
		if e.ID != "" {
			if s.seen[e.ID] {
				return false
			}
			s.seen[e.ID] = true
		}
		s.write(e.Data)
	case replicate.SSETypeError:
		s.err = fmt.Errorf("the stream reported an error: %s", oneLine(e.Data))
		return true
	case replicate.SSETypeDone:
		return true
	}
	return false
}

func (s *streamPrinter) write(token string) {
	if token == "" {
		return
	}
	s.printed.WriteString(token)
	if s.tty {
		token = cleanText(token)
	}
	if _, err := io.WriteString(s.out, token); err == nil {
		s.lastNL = strings.HasSuffix(token, "\n")
	}
}

// finish waits up to streamDrain for the stream's end, then stops it; it
// returns why the stream broke off, if it did.
func (s *streamPrinter) finish() error {
	if s.done == nil {
		return errNoStream
	}
	t := time.NewTimer(streamDrain)
	defer t.Stop()
	select {
	case <-s.done:
	case <-t.C:
		s.cancel()
		<-s.done
		s.err = fmt.Errorf("the stream had not ended %s after the result", streamDrain)
	}
	s.cancel()
	return s.err
}

// complete prints what of the final output the stream did not, when it
// broke off; it reports whether the output printed is then whole. It ends
// the output with a newline.
func (s *streamPrinter) complete(p *replicate.Prediction) bool {
	whole := true
	if s.err != nil {
		final, ok := streamedText(p.Output)
		whole = ok && strings.HasPrefix(final, s.printed.String())
		if whole {
			s.write(final[s.printed.Len():])
		}
	}
	if s.printed.Len() > 0 && !s.lastNL {
		_, _ = io.WriteString(s.out, "\n")
	}
	return whole
}

// streamedText is a streaming model's output as its stream shows it: its
// tokens joined.
func streamedText(out any) (string, bool) {
	switch o := out.(type) {
	case string:
		return o, true
	case []any:
		return joinStrings(o)
	}
	return "", false
}

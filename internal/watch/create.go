package watch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/replicateapi"
	"github.com/notifier-dev/notifier/internal/waitctx"
)

// CreatedError reports a create call that made a prediction but failed
// afterwards, such as when its answer could not be decoded.
type CreatedError struct {
	PredictionID string
	Err          error // why the create call failed
	Canceled     bool  // the prediction was canceled since
	CancelErr    error // why canceling it failed, if it was tried
}

func (e *CreatedError) Error() string {
	return fmt.Sprintf("%v; prediction %s was created and %s", e.Err, e.PredictionID, fate(e.Canceled, e.CancelErr))
}

func (e *CreatedError) Unwrap() error { return e.Err }

// ModelError reports a model asked for by name, without a version, that
// cannot run: the official-models route does not know it, and the models
// API either does not know it either (NotFound) or has no version of it to
// run (docs/replicate.md, "Requests").
type ModelError struct {
	Model    string // "owner/name"
	NotFound bool   // GET /v1/models/{owner}/{name} answered 404
	Err      error  // the models API's error when NotFound, else the models route's 404
}

func (e *ModelError) Error() string {
	if e.NotFound {
		return fmt.Sprintf("model %s not found", e.Model)
	}
	return fmt.Sprintf("model %s is not an official model and has no version to run", e.Model)
}

func (e *ModelError) Unwrap() error { return e.Err }

// create starts the prediction through the route that fits the request.
// The call may outlive ctx by opts.CreateGrace, so that what it creates is
// known; a prediction created although the call failed is canceled.
func (h *Hub) create(ctx context.Context, c *replicate.Client, req Request, opts Options) (*replicate.Prediction, error) {
	gctx, release := waitctx.Grace(ctx, opts.CreateGrace)
	defer release()
	gctx, created := replicateapi.CaptureCreated(gctx)
	p, err := h.createCall(gctx, c, req, opts)
	if err == nil {
		return p, nil
	}
	if id := created.ID(); id != "" {
		ce := &CreatedError{PredictionID: id, Err: err}
		ce.Canceled, ce.CancelErr = cancelPrediction(ctx, c, id, opts)
		return nil, ce
	}
	return nil, err
}

func (h *Hub) createCall(ctx context.Context, c *replicate.Client, req Request, opts Options) (*replicate.Prediction, error) {
	var wh *replicate.Webhook
	if req.WebhookURL != "" {
		wh = &replicate.Webhook{URL: req.WebhookURL, Events: req.Events}
	}
	input := replicate.PredictionInput(req.Input)
	ctx = replicateapi.WithCancelAfter(ctx, req.Deadline)
	switch {
	case req.Deployment != "":
		owner, name, ok := strings.Cut(req.Deployment, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return nil, fmt.Errorf("invalid deployment %q: want owner/name", req.Deployment)
		}
		return c.CreatePredictionWithDeployment(ctx, owner, name, input, wh, req.Stream)
	case req.Version != "":
		return c.CreatePrediction(ctx, req.Version, input, wh, req.Stream)
	case req.Owner == "":
		return nil, errors.New("a model or version is required")
	}
	return h.createByName(ctx, c, req, input, wh, opts)
}

// createByName runs owner/name without a version. The official-models
// route runs official models only; for any other model it answers 404, and
// the model runs at its latest version, its latest_version in the models API
// (docs/replicate.md, "Requests"). The version found
// is kept in the hub, so that the predictions of a smoke run after the
// first go straight to it.
func (h *Hub) createByName(ctx context.Context, c *replicate.Client, req Request, input replicate.PredictionInput,
	wh *replicate.Webhook, opts Options) (*replicate.Prediction, error) {
	model := req.Owner + "/" + req.Name
	if v := h.latestVersion(model); v != "" {
		return c.CreatePrediction(ctx, v, input, wh, req.Stream)
	}
	p, err := c.CreatePredictionWithModel(ctx, req.Owner, req.Name, input, wh, req.Stream)
	var ae *replicate.APIError
	if err == nil || !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		return p, err
	}
	m, gerr := c.GetModel(ctx, req.Owner, req.Name)
	if errors.As(gerr, &ae) && ae.Status == http.StatusNotFound {
		return nil, &ModelError{Model: model, NotFound: true, Err: gerr}
	}
	if gerr != nil {
		return nil, fmt.Errorf("looking up the latest version of %s: %w", model, gerr)
	}
	if m.LatestVersion == nil || m.LatestVersion.ID == "" {
		return nil, &ModelError{Model: model, Err: err}
	}
	v := m.LatestVersion.ID
	h.setLatestVersion(model, v)
	opts.emit(Event{Kind: EventLatestVersion, Model: model, Version: v, At: opts.Now()})
	return c.CreatePrediction(ctx, v, input, wh, req.Stream)
}

// latestVersion is the version found for model by an earlier watch, or "".
func (h *Hub) latestVersion(model string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.latest[model]
}

func (h *Hub) setLatestVersion(model, version string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.latest[model] = version
}

package simulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/simulator"
)

// wantNotFound checks that err is Replicate's 404: a detail, no title.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	var ae *replicate.APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.Title != "" || ae.Detail != "The requested resource could not be found." {
		t.Errorf("%s: %v, want Replicate's 404", what, err)
	}
}

// inputSchema is the part of a version's openapi_schema a client reads to
// build its inputs.
type inputSchema struct {
	Components struct {
		Schemas struct {
			Input struct {
				Properties map[string]struct {
					Type    string   `json:"type"`
					Minimum *float64 `json:"minimum"`
					Maximum *float64 `json:"maximum"`
					Enum    []string `json:"enum"`
				} `json:"properties"`
				AdditionalProperties bool `json:"additionalProperties"`
			} `json:"Input"`
			Output struct {
				Type     string   `json:"type"`
				Required []string `json:"required"`
			} `json:"Output"`
		} `json:"schemas"`
	} `json:"components"`
}

func decodeSchema(t *testing.T, v *replicate.ModelVersion) inputSchema {
	t.Helper()
	raw, err := json.Marshal(v.OpenAPISchema)
	if err != nil {
		t.Fatal(err)
	}
	var s inputSchema
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("openapi_schema: %v", err)
	}
	return s
}

func TestReplicateGoModels(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, c := newClient(t, simulator.Config{})

	m, err := c.GetModel(ctx, "zeke", "chaos-monkey")
	if err != nil {
		t.Fatalf("GetModel: %v", err)
	}
	if m.Owner != "zeke" || m.Name != "chaos-monkey" || m.LatestVersion == nil || m.LatestVersion.ID != simulator.ChaosMonkeyVersion {
		t.Fatalf("GetModel: %+v", m)
	}
	var flags struct {
		IsOfficial bool `json:"is_official"`
	}
	if err := json.Unmarshal(m.RawJSON(), &flags); err != nil || flags.IsOfficial {
		t.Errorf("zeke/chaos-monkey is_official = %v (%v), want false", flags.IsOfficial, err)
	}
	v, err := c.GetModelVersion(ctx, "zeke", "chaos-monkey", simulator.ChaosMonkeyVersion)
	if err != nil || v.ID != simulator.ChaosMonkeyVersion || v.CogVersion == "" || string(v.RawJSON()) == "" {
		t.Fatalf("GetModelVersion: %+v, %v", v, err)
	}
	if !stampRE.MatchString(v.CreatedAt) {
		t.Errorf("version created_at %q is not as Replicate writes it", v.CreatedAt)
	}
	versions, err := c.ListModelVersions(ctx, "zeke", "chaos-monkey")
	if err != nil || len(versions.Results) != 1 || versions.Results[0].ID != v.ID {
		t.Errorf("ListModelVersions: %+v, %v", versions, err)
	}

	// The schema is the one enforced: each outcome it lists is taken, and a
	// sleep past its maximum is refused.
	s := decodeSchema(t, v).Components.Schemas
	outcome, sleep := s.Input.Properties["outcome"], s.Input.Properties["sleep"]
	if outcome.Type != "string" || len(outcome.Enum) != 4 || sleep.Type != "number" || sleep.Maximum == nil || *sleep.Maximum != 300 {
		t.Fatalf("Input schema: %+v", s.Input)
	}
	for _, o := range outcome.Enum {
		if _, err := c.CreatePrediction(ctx, v.ID, replicate.PredictionInput{"outcome": o}, nil, false); err != nil {
			t.Errorf("outcome %q from the schema: %v", o, err)
		}
	}
	_, err = c.CreatePrediction(ctx, v.ID, replicate.PredictionInput{"sleep": *sleep.Maximum + 1}, nil, false)
	var ae *replicate.APIError
	if !errors.As(err, &ae) || ae.Status != 422 {
		t.Errorf("sleep past the schema's maximum: %v, want a 422", err)
	}
	if s.Output.Type != "object" || !slices.Equal(s.Output.Required, []string{"result"}) {
		t.Errorf("Output schema: %+v", s.Output)
	}

	// The official model.
	echo, err := c.GetModel(ctx, "acme", "echo")
	if err != nil || echo.LatestVersion == nil || echo.LatestVersion.ID != simulator.EchoVersion {
		t.Fatalf("GetModel acme/echo: %+v, %v", echo, err)
	}
	if err := json.Unmarshal(echo.RawJSON(), &flags); err != nil || !flags.IsOfficial {
		t.Errorf("acme/echo is_official = %v (%v), want true", flags.IsOfficial, err)
	}
	if !decodeSchema(t, echo.LatestVersion).Components.Schemas.Input.AdditionalProperties {
		t.Error("acme/echo's Input schema does not say it takes any input")
	}
	list, err := c.ListModels(ctx)
	if err != nil || len(list.Results) != 4 {
		t.Errorf("ListModels: %+v, %v", list, err)
	}

	_, err = c.GetModel(ctx, "acme", "nope")
	wantNotFound(t, "GetModel of an unknown model", err)
	_, err = c.GetModelVersion(ctx, "zeke", "chaos-monkey", simulator.EchoVersion)
	wantNotFound(t, "GetModelVersion of another model's version", err)
}

func TestReplicateGoDeployment(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, c := newClient(t, simulator.Config{})

	d, err := c.GetDeployment(ctx, "acme", "chaos-monkey")
	if err != nil || d.CurrentRelease.Model != simulator.ChaosMonkeyModel || d.CurrentRelease.Version != simulator.ChaosMonkeyVersion {
		t.Fatalf("GetDeployment: %+v, %v", d, err)
	}
	page, err := c.ListDeployments(ctx)
	if err != nil || len(page.Results) != 1 || page.Results[0].Name != "chaos-monkey" {
		t.Errorf("ListDeployments: %+v, %v", page, err)
	}

	p, err := c.CreatePredictionWithDeployment(ctx, "acme", "chaos-monkey", replicate.PredictionInput{"sleep": 0.01}, nil, false)
	if err != nil {
		t.Fatalf("CreatePredictionWithDeployment: %v", err)
	}
	if err := c.Wait(ctx, p, replicate.WithPollingInterval(10*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	var dep struct {
		Deployment string `json:"deployment"`
	}
	if err := json.Unmarshal(p.RawJSON(), &dep); err != nil {
		t.Fatal(err)
	}
	if p.Model != simulator.ChaosMonkeyModel || p.Version != simulator.ChaosMonkeyVersion || dep.Deployment != simulator.ChaosMonkeyDeployment || p.Status != replicate.Succeeded {
		t.Errorf("deployment prediction: model %q version %q deployment %q status %s", p.Model, p.Version, dep.Deployment, p.Status)
	}

	_, err = c.CreatePredictionWithDeployment(ctx, "acme", "nope", replicate.PredictionInput{}, nil, false)
	wantNotFound(t, "a prediction of an unknown deployment", err)
	_, err = c.GetDeployment(ctx, "acme", "nope")
	wantNotFound(t, "GetDeployment of an unknown deployment", err)
}

func TestReplicateGoAccountAndHardware(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, c := newClient(t, simulator.Config{})
	a, err := c.GetCurrentAccount(ctx)
	if err != nil || a.Username != simulator.AccountUsername || a.Type != "organization" {
		t.Errorf("GetCurrentAccount: %+v, %v", a, err)
	}
	hw, err := c.ListHardware(ctx)
	if err != nil || hw == nil || !slices.ContainsFunc(*hw, func(h replicate.Hardware) bool { return h.SKU == "cpu" }) {
		t.Errorf("ListHardware: %+v, %v", hw, err)
	}
}

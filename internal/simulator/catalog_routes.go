package simulator

import (
	"net/http"
	"slices"
)

// catalogRoutes registers the read routes of the models, deployments,
// account and hardware APIs (docs/simulator.md, "Routes"). Collections,
// search, trainings and every write route are left out: they answer 404,
// like any unknown route. The files API is in routes.go.
func (s *Simulator) catalogRoutes(handle func(string, http.HandlerFunc)) {
	handle("GET /v1/models", s.handleListModels)
	handle("GET /v1/models/{owner}/{name}", s.handleGetModel)
	handle("GET /v1/models/{owner}/{name}/versions", s.handleListVersions)
	handle("GET /v1/models/{owner}/{name}/versions/{id}", s.handleGetVersion)
	handle("GET /v1/deployments", s.handleListDeployments)
	handle("GET /v1/deployments/{owner}/{name}", s.handleGetDeployment)
	handle("GET /v1/account", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, account) })
	handle("GET /v1/hardware", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, hardware) })
}

// wireModel is the model object (OpenAPI schemas_model_response).
type wireModel struct {
	URL            string       `json:"url"`
	Owner          string       `json:"owner"`
	Name           string       `json:"name"`
	Description    string       `json:"description"`
	Visibility     string       `json:"visibility"`
	GithubURL      *string      `json:"github_url"`
	PaperURL       *string      `json:"paper_url"`
	LicenseURL     *string      `json:"license_url"`
	RunCount       int          `json:"run_count"`
	CoverImageURL  *string      `json:"cover_image_url"`
	DefaultExample any          `json:"default_example"`
	LatestVersion  *wireVersion `json:"latest_version"`
	IsOfficial     bool         `json:"is_official"`
}

// wireVersion is the version object (OpenAPI schemas_version_response).
type wireVersion struct {
	ID            string         `json:"id"`
	CreatedAt     string         `json:"created_at"`
	CogVersion    string         `json:"cog_version"`
	OpenAPISchema map[string]any `json:"openapi_schema"`
}

// catalogPage is a list answer that fits on one page.
type catalogPage[T any] struct {
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

func onePage[T any](results []T) catalogPage[T] { return catalogPage[T]{Results: results} }

func (m *model) wireVersion(v *modelVersion) *wireVersion {
	if v == nil {
		return nil
	}
	return &wireVersion{ID: v.id, CreatedAt: v.createdAt, CogVersion: v.cogVersion, OpenAPISchema: m.openapiSchema()}
}

// wire renders m; runs is how many predictions this simulator ran of it.
// Its url is the model's address on replicate.com, where only
// zeke/chaos-monkey exists (docs/simulator.md, "The catalog").
func (m *model) wire(runs int) wireModel {
	return wireModel{
		URL: "https://replicate.com/" + m.fullName(), Owner: m.owner, Name: m.name,
		Description: m.description, Visibility: "public", RunCount: runs,
		LatestVersion: m.wireVersion(m.latest()), IsOfficial: m.official,
	}
}

// catalogModel finds the path's model for the models API, or answers 404.
func catalogModel(w http.ResponseWriter, r *http.Request) *model {
	m := findModel(r.PathValue("owner") + "/" + r.PathValue("name"))
	if m == nil {
		writeProblem(w, notFound())
	}
	return m
}

func (s *Simulator) runCount(m *model) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs[m.fullName()]
}

// handleListModels lists the catalog, the latest version created first, as
// Replicate's default sort does.
func (s *Simulator) handleListModels(w http.ResponseWriter, _ *http.Request) {
	var out []wireModel
	for _, m := range slices.Backward(catalog) {
		out = append(out, m.wire(s.runCount(m)))
	}
	writeJSON(w, http.StatusOK, onePage(out))
}

func (s *Simulator) handleGetModel(w http.ResponseWriter, r *http.Request) {
	if m := catalogModel(w, r); m != nil {
		writeJSON(w, http.StatusOK, m.wire(s.runCount(m)))
	}
}

// handleListVersions lists a model's versions, newest first.
func (s *Simulator) handleListVersions(w http.ResponseWriter, r *http.Request) {
	m := catalogModel(w, r)
	if m == nil {
		return
	}
	out := []*wireVersion{}
	for i := range m.versions {
		out = append(out, m.wireVersion(&m.versions[i]))
	}
	writeJSON(w, http.StatusOK, onePage(out))
}

func (s *Simulator) handleGetVersion(w http.ResponseWriter, r *http.Request) {
	m := catalogModel(w, r)
	if m == nil {
		return
	}
	v := m.version(r.PathValue("id"))
	if v == nil {
		writeProblem(w, notFound())
		return
	}
	writeJSON(w, http.StatusOK, m.wireVersion(v))
}

// wireAccount is the account object (OpenAPI account.get).
type wireAccount struct {
	Type     string `json:"type"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// account is who the simulator's token belongs to.
var account = wireAccount{Type: "organization", Username: AccountUsername, Name: "Acme (notifier simulator)"}

// wireDeployment is the deployment object (OpenAPI schemas_deployment_response).
type wireDeployment struct {
	Owner          string `json:"owner"`
	Name           string `json:"name"`
	CurrentRelease struct {
		Number        int         `json:"number"`
		Model         string      `json:"model"`
		Version       string      `json:"version"`
		CreatedAt     string      `json:"created_at"`
		CreatedBy     wireAccount `json:"created_by"`
		Configuration struct {
			Hardware     string `json:"hardware"`
			MinInstances int    `json:"min_instances"`
			MaxInstances int    `json:"max_instances"`
		} `json:"configuration"`
	} `json:"current_release"`
}

func (d *deployment) wire() wireDeployment {
	out := wireDeployment{Owner: d.owner, Name: d.name}
	rel := &out.CurrentRelease
	rel.Number, rel.Model, rel.Version, rel.CreatedAt, rel.CreatedBy = 1, d.model.fullName(), d.version, d.createdAt, account
	rel.Configuration.Hardware, rel.Configuration.MaxInstances = d.hardware, 1
	return out
}

func (s *Simulator) handleListDeployments(w http.ResponseWriter, _ *http.Request) {
	var out []wireDeployment
	for _, d := range deployments {
		out = append(out, d.wire())
	}
	writeJSON(w, http.StatusOK, onePage(out))
}

func (s *Simulator) handleGetDeployment(w http.ResponseWriter, r *http.Request) {
	d := findDeployment(r.PathValue("owner") + "/" + r.PathValue("name"))
	if d == nil {
		writeProblem(w, notFound())
		return
	}
	writeJSON(w, http.StatusOK, d.wire())
}

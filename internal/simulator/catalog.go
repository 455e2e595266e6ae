package simulator

// The catalog: what the simulator knows by name (docs/simulator.md, "The
// catalog"). A community model runs only by version; an official model runs
// by name too, through the models route (docs/replicate.md, "Requests").
const (
	// ChaosMonkeyModel is a community model, run by version
	// (docs/replicate.md, "The model zeke/chaos-monkey").
	ChaosMonkeyModel   = "zeke/chaos-monkey"
	ChaosMonkeyVersion = "0098011f5f482d1fcdbbba44ef1d6d22858e439a103b6ebb449ef9dec623a71e"
	// EchoModel is an official model whose output is its input: it runs by
	// name (POST /v1/models/acme/echo/predictions) or at EchoVersion.
	EchoModel   = "acme/echo"
	EchoVersion = "afc7b04dc9791d711871cafdd7edcfdd9022eabbf2defdea32a1bc9be280cff6"
	// ImageModel is an official model that makes PNG images, served at
	// delivery URLs until the output TTL passes (docs/simulator.md, "Files,
	// images and streaming").
	ImageModel   = "acme/image"
	ImageVersion = "efbca9e8e7353340fce58b47c82c33cc0379cb015f9dc6745b04f7213035c275"
	// StreamModel is an official language-model-like model whose tokens
	// stream over urls.stream (docs/simulator.md, "Files, images and
	// streaming").
	StreamModel   = "acme/stream"
	StreamVersion = "1dc989173b8ce45053d408180b167e0887319cfa9ffd4bc5f6315fc43a18bb33"
	// ChaosMonkeyDeployment is the catalog's deployment: it runs
	// ChaosMonkeyModel at ChaosMonkeyVersion.
	ChaosMonkeyDeployment = "acme/chaos-monkey"
	// AccountUsername is the account the simulator's token belongs to
	// (GET /v1/account); it owns the deployment.
	AccountUsername = "acme"
)

// behaviour is what a model does with its input.
type behaviour int

const (
	behaveChaos  behaviour = iota // zeke/chaos-monkey: sleep, then the outcome asked for
	behaveEcho                    // the input as output, after an optional sleep; file inputs described
	behaveImage                   // PNG images at delivery URLs
	behaveStream                  // tokens, one every tokenPace, streamed over urls.stream
)

// modelVersion is one published version of a model. Its created_at and
// cog_version are placeholders (docs/simulator.md, "The catalog").
type modelVersion struct {
	id         string
	createdAt  string
	cogVersion string
}

// model is a catalog entry. Entries are immutable and shared by every
// Simulator.
type model struct {
	owner, name string
	official    bool
	description string
	behaviour   behaviour
	params      []param        // its inputs: schema and validation both come from them (schema.go)
	keepExtra   bool           // inputs not in params are kept (echo); else ignored, as cog does
	streams     bool           // its predictions have urls.stream
	output      map[string]any // the Output schema
	versions    []modelVersion // newest first
}

// fullName is "owner/name".
func (m *model) fullName() string { return m.owner + "/" + m.name }

// version returns m's version id, or nil when m has no such version.
func (m *model) version(id string) *modelVersion {
	for i := range m.versions {
		if m.versions[i].id == id {
			return &m.versions[i]
		}
	}
	return nil
}

// latest is the newest version, or nil.
func (m *model) latest() *modelVersion {
	if len(m.versions) == 0 {
		return nil
	}
	return &m.versions[0]
}

// maxSleep is chaos-monkey's upper bound on its sleep input (docs/replicate.md, "The model zeke/chaos-monkey").
const maxSleep = 300

// chaos-monkey's outcomes; the model's README lists these four (docs/replicate.md, "The model zeke/chaos-monkey").
const (
	outcomeSuccess       = "success"
	outcomeError         = "error"
	outcomeBadReturnType = "bad_return_type"
	outcomeRandomData    = "random_data"
)

func ptr(f float64) *float64 { return &f }

// sleepParam is the sleep input both models take.
var sleepParam = param{name: "sleep", typ: "number", def: 0, min: ptr(0), max: ptr(maxSleep),
	desc: "Seconds to run before answering (fractions allowed)"}

var chaosMonkey = &model{
	owner: "zeke", name: "chaos-monkey",
	description: "An experimental model for testing out different failure modes",
	behaviour:   behaveChaos,
	params: []param{sleepParam, {name: "outcome", typ: "string", def: outcomeSuccess,
		enum: []string{outcomeSuccess, outcomeError, outcomeBadReturnType, outcomeRandomData},
		desc: "How the prediction ends: success, error (failed), bad_return_type (failed) or random_data"}},
	output: map[string]any{"title": "Output", "type": "object", "required": []string{"result"},
		"properties": map[string]any{"result": map[string]any{"title": "Result", "type": "object"}}},
	versions: []modelVersion{{id: ChaosMonkeyVersion, createdAt: "2023-01-01T00:00:00.000000Z", cogVersion: "0.8.6"}},
}

// echoModel's output is its input, but an input that is a file URL (of the
// files API, a delivery URL or a data URL) is described by its size and
// content type (docs/simulator.md, "Files, images and streaming").
var echoModel = &model{
	owner: "acme", name: "echo", official: true,
	description: "Answers with its input, files described by size and content type (notifier simulator)",
	behaviour:   behaveEcho,
	params:      []param{sleepParam},
	keepExtra:   true,
	output: map[string]any{"title": "Output", "type": "object", "additionalProperties": true,
		"description": "The input, as given; a file input as {size, content_type}"},
	versions: []modelVersion{{id: EchoVersion, createdAt: "2025-01-01T00:00:00.000000Z", cogVersion: "0.13.6"}},
}

// The bounds of acme/image's and acme/stream's inputs (docs/simulator.md, "The catalog").
const (
	maxImages    = 4
	minImageSide = 64
	maxImageSide = 1024
	defaultSide  = 256
	maxTokens    = 1024
)

var imageModel = &model{
	owner: "acme", name: "image", official: true,
	description: "Makes PNG images from a seed (notifier simulator)",
	behaviour:   behaveImage,
	params: []param{
		{name: "num_outputs", typ: "integer", def: 1, min: ptr(1), max: ptr(maxImages), desc: "Number of images to make"},
		{name: "width", typ: "integer", def: defaultSide, min: ptr(minImageSide), max: ptr(maxImageSide), desc: "Width of the images, in pixels"},
		{name: "height", typ: "integer", def: defaultSide, min: ptr(minImageSide), max: ptr(maxImageSide), desc: "Height of the images, in pixels"},
		{name: "seed", typ: "integer", desc: "Random seed: the same seed makes the same pixels. Leave blank to randomize the seed"},
	},
	output: map[string]any{"title": "Output", "type": "array",
		"items": map[string]any{"type": "string", "format": "uri"}},
	versions: []modelVersion{{id: ImageVersion, createdAt: "2025-01-01T00:00:00.000000Z", cogVersion: "0.13.6"}},
}

// streamModel declares its output as a streaming language model does: an
// iterator of strings, shown concatenated (docs/simulator.md, "Files,
// images and streaming").
var streamModel = &model{
	owner: "acme", name: "stream", official: true,
	description: "Streams tokens like a language model (notifier simulator)",
	behaviour:   behaveStream,
	streams:     true,
	params: []param{
		{name: "prompt", typ: "string", required: true, desc: "Prompt to answer"},
		{name: "max_tokens", typ: "integer", def: 16, min: ptr(1), max: ptr(maxTokens), desc: "Number of tokens to produce"},
	},
	output: map[string]any{"title": "Output", "type": "array", "items": map[string]any{"type": "string"},
		"x-cog-array-type": "iterator", "x-cog-array-display": "concatenate"},
	versions: []modelVersion{{id: StreamVersion, createdAt: "2025-01-01T00:00:00.000000Z", cogVersion: "0.13.6"}},
}

// catalog lists the models, oldest first.
var catalog = []*model{chaosMonkey, echoModel, imageModel, streamModel}

// findModel returns the catalog's owner/name, or nil.
func findModel(fullName string) *model {
	for _, m := range catalog {
		if m.fullName() == fullName {
			return m
		}
	}
	return nil
}

// findVersion returns the model that has version id, or nil.
func findVersion(id string) *model {
	for _, m := range catalog {
		if m.version(id) != nil {
			return m
		}
	}
	return nil
}

// deployment runs a model at a fixed version (docs/replicate.md, "Requests").
type deployment struct {
	owner, name string
	model       *model
	version     string
	createdAt   string
	hardware    string
}

var deployments = []*deployment{{owner: "acme", name: "chaos-monkey", model: chaosMonkey,
	version: ChaosMonkeyVersion, createdAt: "2025-01-01T00:00:00.000000Z", hardware: "cpu"}}

// findDeployment returns the catalog's deployment owner/name, or nil.
func findDeployment(fullName string) *deployment {
	for _, d := range deployments {
		if d.owner+"/"+d.name == fullName {
			return d
		}
	}
	return nil
}

// hardware is GET /v1/hardware's answer, the documented example's SKUs.
var hardware = []map[string]string{
	{"name": "CPU", "sku": "cpu"},
	{"name": "Nvidia T4 GPU", "sku": "gpu-t4"},
	{"name": "Nvidia A40 GPU", "sku": "gpu-a40-small"},
	{"name": "Nvidia A40 (Large) GPU", "sku": "gpu-a40-large"},
}

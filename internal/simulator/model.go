package simulator

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// maxSleep is chaos-monkey's upper bound on its sleep input (docs/replicate.md, "The model zeke/chaos-monkey").
const maxSleep = 300

// chaos-monkey's outcomes; the model's README lists these four (docs/replicate.md, "The model zeke/chaos-monkey").
const (
	outcomeSuccess       = "success"
	outcomeError         = "error"
	outcomeBadReturnType = "bad_return_type"
	outcomeRandomData    = "random_data"
)

var (
	hexVersion = regexp.MustCompile(`^[0-9a-f]{64}$`)
	modelName  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

// model is what runs a prediction: chaos-monkey, or an echo model under any
// other owner/name.
type model struct {
	name  string
	chaos bool
}

// plan is how a prediction will run, decided from its input.
type plan struct {
	sleep   time.Duration
	outcome string
}

// resolveVersion maps the "version" field of POST /v1/predictions to a model
// and version id. A bare 64-hex id other than chaos-monkey's is unknown: the
// simulator cannot tell which model it would belong to.
func resolveVersion(v string) (model, string, bool) {
	if hexVersion.MatchString(v) {
		return resolveModel(ChaosMonkeyModel, v)
	}
	name, id, hasID := strings.Cut(v, ":")
	if !modelName.MatchString(name) {
		return model{}, "", false
	}
	if !hasID {
		return resolveModel(name, "")
	}
	if !hexVersion.MatchString(id) {
		return model{}, "", false
	}
	return resolveModel(name, id)
}

// resolveModel returns the model owner/name at version id ("" = latest).
// Echo models without a version report "hidden", as official models do.
func resolveModel(name, id string) (model, string, bool) {
	if name == ChaosMonkeyModel {
		if id != "" && id != ChaosMonkeyVersion {
			return model{}, "", false
		}
		return model{name: name, chaos: true}, ChaosMonkeyVersion, true
	}
	if id == "" {
		id = "hidden"
	}
	return model{name: name}, id, true
}

// validate checks input against the model's schema. chaos-monkey ignores
// inputs it does not know (cog drops them); echo models accept anything.
func (m model) validate(input map[string]any) []invalidField {
	if !m.chaos {
		return nil
	}
	var bad []invalidField
	if v, ok := input["sleep"]; ok {
		f, isNum := number(v)
		switch {
		case !isNum:
			bad = append(bad, invalidField{"type", "input.sleep", fmt.Sprintf("Invalid type. Expected: number, given: %s", jsonType(v))})
		case f < 0:
			bad = append(bad, invalidField{"number_gte", "input.sleep", "Must be greater than or equal to 0"})
		case f > maxSleep:
			bad = append(bad, invalidField{"number_lte", "input.sleep", fmt.Sprintf("Must be less than or equal to %d", maxSleep)})
		}
	}
	if v, ok := input["outcome"]; ok {
		s, isStr := v.(string)
		switch {
		case !isStr:
			bad = append(bad, invalidField{"type", "input.outcome", fmt.Sprintf("Invalid type. Expected: string, given: %s", jsonType(v))})
		case s != outcomeSuccess && s != outcomeError && s != outcomeBadReturnType && s != outcomeRandomData:
			bad = append(bad, invalidField{"enum", "input.outcome", "input.outcome must be one of the following: \"success\", \"error\", \"bad_return_type\", \"random_data\""})
		}
	}
	return bad
}

// plan reads the run's shape from a validated input. Echo models honour a
// numeric "sleep" too, so scripts can make them slow.
func (m model) plan(input map[string]any) plan {
	p := plan{outcome: outcomeSuccess}
	if f, ok := number(input["sleep"]); ok && f > 0 && f <= maxSleep {
		p.sleep = time.Duration(f * float64(time.Second))
	}
	if s, ok := input["outcome"].(string); ok && m.chaos {
		p.outcome = s
	}
	return p
}

// result returns the output, or the error message of a failed run.
func (m model) result(input map[string]any, pl plan, rng *seededRand) (any, string) {
	if !m.chaos {
		return input, ""
	}
	switch pl.outcome {
	case outcomeError:
		return nil, "chaos monkey: outcome=error requested"
	case outcomeBadReturnType:
		return nil, "chaos monkey: bad return type: predict() returned str, expected Output"
	case outcomeRandomData:
		nums := make([]int, 5)
		for i := range nums {
			nums[i] = rng.intN(1000)
		}
		return map[string]any{"result": map[string]any{
			"outcome": outcomeRandomData, "numbers": nums, "token": rng.alnum(16),
		}}, ""
	}
	return map[string]any{"result": map[string]any{
		"outcome": outcomeSuccess, "sleep": pl.sleep.Seconds(), "message": "the chaos monkey behaved",
	}}, ""
}

// number reports v as a float64 if it is a JSON number.
func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// jsonType names the JSON type of a decoded value, for error messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case []any:
		return "array"
	}
	return "object"
}

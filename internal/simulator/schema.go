package simulator

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// param is one model input. The version's openapi_schema and the create
// call's validation are both made from it, so the schema a client reads is
// the one the simulator enforces (docs/simulator.md, "The catalog").
type param struct {
	name     string
	typ      string // "number", "integer" or "string"
	required bool
	def      any
	min, max *float64 // number bounds, inclusive
	enum     []string // allowed strings
	desc     string
}

// title is cog's title for an input: "sleep" -> "Sleep".
func (p param) title() string {
	return strings.ToUpper(p.name[:1]) + strings.ReplaceAll(p.name[1:], "_", " ")
}

// property is p as an OpenAPI schema object.
func (p param) property(order int) map[string]any {
	prop := map[string]any{"type": p.typ, "title": p.title(), "x-order": order, "description": p.desc}
	if p.def != nil {
		prop["default"] = p.def
	}
	if p.min != nil {
		prop["minimum"] = *p.min
	}
	if p.max != nil {
		prop["maximum"] = *p.max
	}
	if p.enum != nil {
		prop["enum"] = p.enum
	}
	return prop
}

// openapiSchema is a version's openapi_schema, as cog publishes it: the
// Input and Output schemas under components.schemas (docs/replicate.md,
// "Requests"). The rest of cog's document (paths, the prediction request
// and response schemas) is left out.
func (m *model) openapiSchema() map[string]any {
	props := map[string]any{}
	for i, p := range m.params {
		props[p.name] = p.property(i)
	}
	input := map[string]any{"title": "Input", "type": "object", "properties": props}
	var required []string
	for _, p := range m.params {
		if p.required {
			required = append(required, p.name)
		}
	}
	if required != nil {
		input["required"] = required
	}
	if m.keepExtra {
		input["additionalProperties"] = true
	}
	return map[string]any{
		"openapi": "3.0.2",
		"info":    map[string]any{"title": "Cog", "version": "0.1.0"},
		"paths":   map[string]any{},
		"components": map[string]any{"schemas": map[string]any{
			"Input": input, "Output": m.output,
		}},
	}
}

// validate checks input against m's params and lists what is wrong, as
// Replicate's 422 does (docs/replicate.md, "Errors and rate limits").
// Inputs m does not declare are accepted: cog ignores them, and the echo
// model keeps them.
func (m *model) validate(input map[string]any) []invalidField {
	var bad []invalidField
	for _, p := range m.params {
		v, ok := input[p.name]
		if !ok {
			if p.required {
				bad = append(bad, invalidField{"required", "input", p.name + " is required"})
			}
			continue
		}
		if f := p.check(v); f != nil {
			bad = append(bad, *f)
		}
	}
	return bad
}

// check validates one value of p.
func (p param) check(v any) *invalidField {
	field := "input." + p.name
	wrongType := &invalidField{"type", field, fmt.Sprintf("Invalid type. Expected: %s, given: %s", p.typ, jsonType(v))}
	switch p.typ {
	case "number", "integer":
		f, ok := number(v)
		switch {
		case !ok || (p.typ == "integer" && f != math.Trunc(f)):
			return wrongType
		case p.min != nil && f < *p.min:
			return &invalidField{"number_gte", field, "Must be greater than or equal to " + formatNumber(*p.min)}
		case p.max != nil && f > *p.max:
			return &invalidField{"number_lte", field, "Must be less than or equal to " + formatNumber(*p.max)}
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return wrongType
		}
		if p.enum != nil && !slices.Contains(p.enum, s) {
			return &invalidField{"enum", field, fmt.Sprintf("%s must be one of the following: %s", field, quoteAll(p.enum))}
		}
	}
	return nil
}

// quoteAll renders `"a", "b"`.
func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

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

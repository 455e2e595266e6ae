package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Problem titles the clients and users see (docs/replicate.md, "Errors and rate limits").
const (
	titleUnauthenticated = "Unauthenticated"
	titleInvalidVersion  = "Invalid version or not permitted"
	titleInvalidInput    = "Input validation failed"
	titleBadRequest      = "Bad request"
)

// problem is an RFC 7807 error body as Replicate sends it.
type problem struct {
	Title         string         `json:"title,omitempty"`
	Detail        string         `json:"detail"`
	Status        int            `json:"status"`
	InvalidFields []invalidField `json:"invalid_fields,omitempty"`
}

// invalidField is one entry of a 422's invalid_fields.
type invalidField struct {
	Type        string `json:"type"`
	Field       string `json:"field"`
	Description string `json:"description"`
}

// validationProblem is a 422 "Input validation failed" listing fields.
func validationProblem(fields []invalidField) *problem {
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "- %s: %s\n", f.Field, f.Description)
	}
	return &problem{Title: titleInvalidInput, Detail: b.String(), Status: http.StatusUnprocessableEntity, InvalidFields: fields}
}

// notFound is Replicate's 404: a detail and a status, no title
// (docs/replicate.md, "Errors and rate limits"). It is the same for an
// unknown prediction, model, version, deployment or route.
func notFound() *problem {
	return &problem{Detail: "The requested resource could not be found.", Status: http.StatusNotFound}
}

// extraField is the invalid_fields entry for a body property the schema forbids.
func extraField(name string) invalidField {
	return invalidField{"additional_property_not_allowed", name, fmt.Sprintf("Additional property %s is not allowed", name)}
}

func writeProblem(w http.ResponseWriter, p *problem) {
	writeJSONType(w, p.Status, "application/problem+json", p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONType(w, status, "application/json", v)
}

func writeJSONType(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/watch"
)

func TestCreateError(t *testing.T) {
	notFound := &replicate.APIError{Status: 404, Detail: "The requested resource could not be found."}
	tests := []struct {
		name     string
		err      error
		wantMsg  string
		wantHint string
	}{
		{"model not found", &watch.ModelError{Model: "acme/nope", NotFound: true, Err: notFound},
			"creating prediction: model acme/nope not found (HTTP 404)", "https://replicate.com/acme/nope"},
		{"no version to run", fmt.Errorf("wrapped: %w", &watch.ModelError{Model: "zeke/chaos-monkey", Err: notFound}),
			"creating prediction: zeke/chaos-monkey is not an official model, and has no version to run",
			"run it as zeke/chaos-monkey:VERSION, with a version from https://replicate.com/zeke/chaos-monkey/versions"},
		{"control characters are shown escaped", &watch.ModelError{Model: "a/\x1b[2Jb", NotFound: true},
			`creating prediction: model a/\x1b[2Jb not found (HTTP 404)`, "https://replicate.com/a/"},
		{"any other error is apiError's", notFound,
			"creating prediction: The requested resource could not be found. (HTTP 404)", "check the model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := createError(tt.err)
			code, hints := exitCodeOf(err)
			if code != exitError || err.Error() != tt.wantMsg {
				t.Errorf("got %q exit %d, want %q exit %d", err, code, tt.wantMsg, exitError)
			}
			if !strings.Contains(strings.Join(hints, "\n"), tt.wantHint) {
				t.Errorf("hints %q, want one containing %q", hints, tt.wantHint)
			}
		})
	}
}

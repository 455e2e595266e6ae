package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/replicateapi"
	"github.com/notifier-dev/notifier/internal/simulator"
)

func TestAPIError(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:9/v1/predictions", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	tests := []struct {
		name     string
		err      error
		wantCode int
		wantMsg  string
		wantHint string // substring of one hint; "" = no hints
	}{
		{"401 names the token variable", &replicate.APIError{Status: 401, Title: "Unauthorized", Detail: "You did not pass a valid authentication token"},
			exitError, "creating prediction: Unauthorized: You did not pass a valid authentication token (HTTP 401)", envAPIToken},
		{"403 names the token variable", &replicate.APIError{Status: 403, Title: "Forbidden"},
			exitError, "creating prediction: Forbidden (HTTP 403)", envAPIToken},
		{"404", &replicate.APIError{Status: 404, Detail: "Not found."},
			exitError, "creating prediction: Not found. (HTTP 404)", "check the model"},
		{"422", &replicate.APIError{Status: 422, Title: "Invalid version or not permitted"},
			exitError, "(HTTP 422)", "check the model"},
		{"429", &replicate.APIError{Status: 429, Title: "Too Many Requests"},
			exitError, "(HTTP 429)", "throttling"},
		{"500", &replicate.APIError{Status: 500, Title: "Internal Server Error"},
			exitError, "creating prediction: Internal Server Error (HTTP 500)", "try again in a moment"},
		{"422 with several fields, on one line", &replicate.APIError{Status: 422, Title: "Input validation failed", Detail: "- input.sleep: Invalid type. Expected: number, given: string\n- input.outcome: must be one of the following\n"},
			exitError, "creating prediction: Input validation failed: input.sleep: Invalid type. Expected: number, given: string; input.outcome: must be one of the following (HTTP 422)", "check the model"},
		{"wrapped API error", fmt.Errorf("outer: %w", &replicate.APIError{Status: 401, Title: "Unauthorized"}),
			exitError, "(HTTP 401)", envAPIToken},
		{"unreachable", refused,
			exitError, "creating prediction: cannot reach the Replicate API at http://127.0.0.1:9", envBaseURL},
		{"other error", errors.New("failed to unmarshal response"),
			exitError, "creating prediction: failed to unmarshal response", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := apiError("creating prediction", tt.err)
			code, hints := exitCodeOf(err)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q, want it to contain %q", err, tt.wantMsg)
			}
			if tt.wantHint == "" {
				if len(hints) > 0 {
					t.Errorf("hints %q, want none", hints)
				}
				return
			}
			if !strings.Contains(strings.Join(hints, "\n"), tt.wantHint) {
				t.Errorf("hints %q, want one naming %q", hints, tt.wantHint)
			}
		})
	}
}

func TestAPIErrorContextPassesThrough(t *testing.T) {
	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		in := &url.Error{Op: "Get", URL: "http://x/v1", Err: cause}
		if got := apiError("getting prediction", in); got != error(in) {
			t.Errorf("apiError(%v) = %v, want the error unchanged", in, got)
		}
	}
}

// TestAPIErrorFromSimulator checks the hint on a real 401 from the simulator
// reached through the configured client.
func TestAPIErrorFromSimulator(t *testing.T) {
	sim, err := simulator.New(simulator.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	base, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := replicateapi.NewClient(replicateapi.Config{Token: "r8_wrong", BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPrediction(context.Background(), "p1")
	err = apiError("getting prediction", err)
	code, hints := exitCodeOf(err)
	if code != exitError || !strings.Contains(err.Error(), "(HTTP 401)") {
		t.Errorf("got %q exit %d, want an HTTP 401 error exiting %d", err, code, exitError)
	}
	if !strings.Contains(strings.Join(hints, "\n"), envAPIToken) {
		t.Errorf("hints %q do not name %s", hints, envAPIToken)
	}
}

func TestAPIConfigFromEnv(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		want     replicateapi.Config
		wantCode int // 0 = no error
		wantHint string
	}{
		{"token and default URL", map[string]string{envAPIToken: " r8_x\n"}, replicateapi.Config{Token: "r8_x", BaseURL: defaultBaseURL, UserAgent: userAgent()}, 0, ""},
		{"custom URL", map[string]string{envAPIToken: "r8_x", envBaseURL: "http://127.0.0.1:1/v1"}, replicateapi.Config{Token: "r8_x", BaseURL: "http://127.0.0.1:1/v1", UserAgent: userAgent()}, 0, ""},
		{"no token", nil, replicateapi.Config{}, exitUsage, "--simulate"},
		{"no /v1", map[string]string{envAPIToken: "r8_x", envBaseURL: "http://127.0.0.1:8788/"}, replicateapi.Config{}, exitUsage, envBaseURL + "=http://127.0.0.1:8788/v1"},
		{"bad URL", map[string]string{envAPIToken: "r8_x", envBaseURL: "api.replicate.com"}, replicateapi.Config{}, exitUsage, defaultBaseURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := apiConfigFromEnv(func(k string) string { return tt.env[k] })
			code, hints := exitCodeOf(err)
			if code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d", code, err, tt.wantCode)
			}
			if err == nil && got != tt.want {
				t.Errorf("config %+v, want %+v", got, tt.want)
			}
			if tt.wantHint != "" && !strings.Contains(strings.Join(hints, "\n"), tt.wantHint) {
				t.Errorf("hints %q, want one containing %q", hints, tt.wantHint)
			}
		})
	}
}

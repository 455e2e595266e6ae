package tunnel

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// quiet wraps an error without repeating its text, as some do.
type quiet struct{ inner error }

func (q quiet) Error() string { return "authentication failed" }
func (q quiet) Unwrap() error { return q.inner }

func TestScrubErr(t *testing.T) {
	const token = "2abcSCRUBtoken"
	quoting := errors.New("Your authtoken: " + token)
	tests := []struct {
		name string
		err  error
		want string // the scrubbed text; "" for err unchanged
	}{
		{"plain", quoting, "Your authtoken: [authtoken]"},
		{"wrapped", fmt.Errorf("session: %w", quoting), "session: Your authtoken: [authtoken]"},
		{"hidden in the chain", quiet{quoting}, "authentication failed"},
		{"hidden in a join", quiet{errors.Join(io.EOF, quoting)}, "authentication failed"},
		{"no token", fmt.Errorf("dial: %w", io.EOF), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scrubErr(tt.err, token)
			if tt.want == "" {
				if got != tt.err {
					t.Errorf("scrubErr = %v, want the error unchanged", got)
				}
				return
			}
			if got.Error() != tt.want {
				t.Errorf("scrubErr = %q, want %q", got, tt.want)
			}
			for e := got; e != nil; e = errors.Unwrap(e) {
				if strings.Contains(e.Error(), token) {
					t.Errorf("the chain of %q leads to %q", got, e)
				}
			}
		})
	}
	if scrubErr(nil, token) != nil {
		t.Error("scrubErr(nil) != nil")
	}
}

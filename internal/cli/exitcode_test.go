package cli

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestExitCodeOf(t *testing.T) {
	plain := errors.New("boom")
	tests := []struct {
		name      string
		err       error
		wantCode  int
		wantHints []string
	}{
		{"nil", nil, exitOK, nil},
		{"plain error", plain, exitError, nil},
		{"coded", withCode(exitFailed, plain, "h1"), exitFailed, []string{"h1"}},
		{"wrapped coded", fmt.Errorf("doing: %w", withCode(exitCanceled, plain)), exitCanceled, nil},
		{"usage", usageErrorf("bad %s", "flag"), exitUsage, nil},
		{"hint on plain", withHint(plain, "h"), exitError, []string{"h"}},
		{"hint keeps code and hints", withHint(withCode(exitTimeout, plain, "h1"), "h2"), exitTimeout, []string{"h1", "h2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, hints := exitCodeOf(tt.err)
			if code != tt.wantCode || strings.Join(hints, "|") != strings.Join(tt.wantHints, "|") {
				t.Errorf("exitCodeOf = %d, %q; want %d, %q", code, hints, tt.wantCode, tt.wantHints)
			}
		})
	}
}

func TestExitCodesDistinct(t *testing.T) {
	seen := map[int]bool{}
	for _, e := range exitCodes {
		if seen[e.code] {
			t.Errorf("exit code %d listed twice", e.code)
		}
		seen[e.code] = true
		if e.meaning == "" {
			t.Errorf("exit code %d has no meaning", e.code)
		}
	}
	help := exitCodeHelp()
	for _, e := range exitCodes {
		if !strings.Contains(help, fmt.Sprintf("%3d  %s\n", e.code, e.meaning)) {
			t.Errorf("help text lacks exit code %d", e.code)
		}
	}
}

// TestExitCodesDocumented checks docs/usage.md against exitCodes, the one
// source of truth (one source of truth): every code has a table row "| <code> |".
func TestExitCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/usage.md")
	if err != nil {
		t.Fatalf("reading the usage documentation: %v", err)
	}
	text := string(doc)
	for _, e := range exitCodes {
		if row := fmt.Sprintf("| %d |", e.code); !strings.Contains(text, row) {
			t.Errorf("docs/usage.md has no table row %q for exit code %d (%s)", row, e.code, e.meaning)
		}
	}
	// And the other way: no row documents a code that does not exist.
	known := map[int]bool{}
	for _, e := range exitCodes {
		known[e.code] = true
	}
	for _, m := range regexp.MustCompile(`(?m)^\|\s*(\d+)\s*\|`).FindAllStringSubmatch(text, -1) {
		if code, _ := strconv.Atoi(m[1]); !known[code] {
			t.Errorf("docs/usage.md documents exit code %d, which exitCodes lacks", code)
		}
	}
}

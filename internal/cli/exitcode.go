package cli

import (
	"fmt"
	"strings"
)

// Exit codes (docs/usage.md, "Exit codes"). This table is the one source of truth: the root
// help text is generated from it and a test checks docs/usage.md against it.
const (
	exitOK           = 0
	exitError        = 1
	exitUsage        = 2
	exitFailed       = 3
	exitCanceled     = 4
	exitNotifyFailed = 5
	exitSlow         = 6
	exitTimeout      = 124
	exitInterrupted  = 130
)

// exitCodes documents every exit code, in order.
var exitCodes = []struct {
	code    int
	meaning string
}{
	{exitOK, "prediction succeeded (smoke mode: all passed the thresholds; listen: stopped by Ctrl-C, --timeout or --max-deliveries)"},
	{exitError, "error while running: the API, the tunnel, a receiver or a file failed"},
	{exitUsage, "usage error: a bad flag, argument or input, or configuration missing or malformed; found before anything starts"},
	{exitFailed, "prediction failed (smoke mode: more than --max-failures did not succeed)"},
	{exitCanceled, "prediction canceled or aborted"},
	{exitNotifyFailed, "the prediction finished but a notification (email) could not be delivered"},
	{exitSlow, "smoke mode: the p95 of total time exceeded --max-p95"},
	{exitTimeout, "timed out waiting (--timeout)"},
	{exitInterrupted, "interrupted (Ctrl-C / SIGTERM)"},
}

// exitCodeHelp renders the exit-code table for --help.
func exitCodeHelp() string {
	var b strings.Builder
	b.WriteString("Exit codes:\n")
	for _, e := range exitCodes {
		fmt.Fprintf(&b, "  %3d  %s\n", e.code, e.meaning)
	}
	return b.String()
}

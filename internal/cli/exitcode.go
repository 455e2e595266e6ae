package cli

import (
	"fmt"
	"strings"
)

// Exit codes (DESIGN.md §2). This table is the one source of truth: the root
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
	{exitOK, "prediction succeeded (listen: stopped after --max-deliveries)"},
	{exitError, "error: API, tunnel, configuration, I/O"},
	{exitUsage, "usage error: bad flag, argument or input"},
	{exitFailed, "prediction failed"},
	{exitCanceled, "prediction canceled or aborted"},
	{exitNotifyFailed, "the prediction finished but a notification could not be delivered"},
	{exitSlow, "smoke mode: a latency threshold was exceeded"},
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

// Package cli implements notifier's commands: flags, environment, rendering and exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// factory holds what commands need from the outside world, so tests can replace it.
type factory struct {
	IO      *IOStreams
	Getenv  func(string) string
	Verbose bool // --verbose, set when flags are parsed
}

// logger is where libraries' logs go: stderr with --verbose, else nowhere.
func (f *factory) logger() *slog.Logger {
	if !f.Verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Main runs notifier with os.Args and returns the process exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := &factory{IO: systemStreams(os.Getenv), Getenv: os.Getenv}
	return run(ctx, f, os.Args[1:])
}

// run executes one command line and prints the error, if any, once.
func run(ctx context.Context, f *factory, args []string) int {
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var ce *codedError
	switch {
	case isFlagError(err):
		err = &codedError{code: exitUsage, err: err}
	case ctx.Err() != nil && !errors.As(err, &ce):
		// Ctrl-C or SIGTERM while a command was busy with something else.
		err = &codedError{code: exitInterrupted, err: errors.New("interrupted")}
	}
	code, hints := exitCodeOf(err)
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(f.IO.ErrOut, "notifier: error: %s\n", msg)
	}
	for _, h := range hints {
		fmt.Fprintf(f.IO.ErrOut, "notifier: hint: %s\n", h)
	}
	if code == exitUsage && cmd != nil {
		fmt.Fprintf(f.IO.ErrOut, "usage: %s\n", cmd.UseLine())
		fmt.Fprintf(f.IO.ErrOut, "run '%s --help' for more\n", cmd.CommandPath())
	}
	return code
}

// flagError marks errors from cobra's flag and argument parsing.
type flagError struct{ error }

func (e flagError) Unwrap() error { return e.error }

// isFlagError reports whether err came from parsing the command line, including
// cobra's "unknown command" and argument-count errors, which have no type of their own.
func isFlagError(err error) bool {
	var fe flagError
	if errors.As(err, &fe) {
		return true
	}
	var ee *codedError
	if errors.As(err, &ee) {
		return false
	}
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") || strings.Contains(msg, "arg(s)")
}

// newRootCmd builds the command tree.
func newRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "notifier",
		Short: "Run Replicate predictions and receive their webhooks",
		Long: `notifier launches a Replicate prediction, receives its signed webhooks on a URL
it opens itself, and prints the result the moment it arrives. 'notifier listen'
is the same webhook listener alone, for debugging; 'notifier run --count N' is
a CI smoke test with a JUnit report; --email-to emails the result.

Try it offline first:  notifier run --simulate`,
		Version:       versionString(),
		SilenceErrors: true, // Main prints errors once.
		SilenceUsage:  true,
	}
	root.PersistentFlags().BoolVarP(&f.Verbose, "verbose", "v", false, "Log what the tunnel and the simulator do on stderr.")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError{err} })
	root.SetVersionTemplate("notifier {{.Version}}\n")
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitCodeHelp() + "\n" + envUsage())
	root.AddCommand(
		newRunCmd(f),
		newListenCmd(f),
		newReplayCmd(f),
		newSimulatorCmd(f),
		newEmailTestCmd(f),
		newVersionCmd(f),
	)
	return root
}

// envUsage renders the environment table for --help.
func envUsage() string {
	var b strings.Builder
	b.WriteString("Environment:\n")
	for _, e := range envHelp {
		fmt.Fprintf(&b, "  %-25s %s\n", e.name, e.meaning)
	}
	return b.String()
}

// Package cli implements notifier's commands: flags, environment, rendering and exit codes.
package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/notifier-dev/notifier/internal/notify"
)

// factory holds what commands need from the outside world, so tests can replace it.
type factory struct {
	IO      *IOStreams
	Getenv  func(string) string
	Verbose bool // --verbose, set when flags are parsed
	Hooks   TestHooks
}

// TestHooks are settings that only tests make: they point the ngrok agent at
// a fake ngrok service. Main never sets them, and no flag or environment
// variable reaches them, so a released binary cannot be redirected to
// another server with the user's authtoken. The end-to-end tests set them
// through MainWithTestHooks.
type TestHooks struct {
	NgrokConnectURL string
	NgrokCAs        *x509.CertPool
	// Grace, when set, replaces the grace period on the way out, so that
	// tests of a hung SMTP server or a blocked stdout end quickly.
	Grace time.Duration
}

// grace is the one bounded grace period that work still pending gets once
// notifier is told to stop: deliveries to print, forwards, notifications
// (docs/usage.md, "Stopping"). A second Ctrl-C exits at once.
func (h TestHooks) grace() time.Duration {
	if h.Grace > 0 {
		return h.Grace
	}
	return notify.DefaultGrace
}

// logger is where libraries' logs go: stderr with --verbose, else nowhere.
func (f *factory) logger() *slog.Logger {
	if !f.Verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Main runs notifier with os.Args and returns the process exit code.
func Main() int { return MainWithTestHooks(TestHooks{}) }

// MainWithTestHooks is Main with test-only settings, for the end-to-end
// tests' wrapper of the binary.
func MainWithTestHooks(h TestHooks) int {
	ctx, stop := interruptContext(os.Stderr, func() { os.Exit(exitInterrupted) })
	defer stop()
	f := &factory{IO: systemStreams(os.Getenv), Getenv: os.Getenv, Hooks: h}
	return run(ctx, f, os.Args[1:])
}

// errInterrupted is the context cause after Ctrl-C or SIGTERM.
var errInterrupted = errors.New("interrupted")

// interruptContext returns a context that the first SIGINT or SIGTERM ends:
// notifier then stops, giving pending work one bounded grace period. A
// second signal calls exit at once.
func interruptContext(errOut io.Writer, exit func()) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		cancel(errInterrupted)
		select {
		case <-sigs:
			fmt.Fprintln(errOut, "notifier: interrupted again: exiting at once")
			exit()
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
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
		err = &codedError{code: exitUsage, err: err, usage: true}
	case ctx.Err() != nil && !errors.As(err, &ce):
		// Ctrl-C or SIGTERM while a command was busy with something else.
		err = &codedError{code: exitInterrupted, err: errInterrupted}
	}
	code := printError(f.IO.ErrOut, err)
	if showsUsage(err) && cmd != nil {
		fmt.Fprintf(f.IO.ErrOut, "usage: %s\n", cmd.UseLine())
		fmt.Fprintf(f.IO.ErrOut, "run '%s --help' for more\n", cmd.CommandPath())
	}
	return code
}

// printError prints err and its hints, each on one clean line: errors quote
// what servers and senders said. It returns the exit code.
func printError(w io.Writer, err error) int {
	code, hints := exitCodeOf(err)
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(w, "notifier: error: %s\n", clean(msg))
	}
	for _, h := range hints {
		fmt.Fprintf(w, "notifier: hint: %s\n", clean(h))
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

// checkNumbers rejects, for every command, what no number flag means: NaN
// and infinities, and negative durations. Each command checks its own
// ranges after this.
func checkNumbers(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if err != nil {
			return
		}
		switch fl.Value.Type() {
		case "float64":
			v, _ := cmd.Flags().GetFloat64(fl.Name)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				err = usageErrorf("invalid --%s %s: want a finite number", fl.Name, fl.Value)
			}
		case "duration":
			v, _ := cmd.Flags().GetDuration(fl.Name)
			if v < 0 {
				err = usageErrorf("invalid --%s %s: a duration must not be negative", fl.Name, fl.Value)
			}
		}
	})
	return err
}

// newRootCmd builds the command tree.
func newRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "notifier",
		Short: "Run Replicate predictions and receive their webhooks",
		Long: `notifier launches a Replicate prediction, receives its signed webhooks on a URL
it opens itself, and prints the result the moment it arrives. 'notifier listen'
is the same webhook listener alone, for debugging; 'notifier trigger' sends a
prediction's real, signed webhooks to any URL; 'notifier run --count N' is a CI
smoke test with a JUnit report; --email-to emails the result.

Try it offline first:  notifier run --simulate`,
		Version:       versionString(),
		SilenceErrors: true, // Main prints errors once.
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return checkNumbers(cmd)
		},
	}
	root.PersistentFlags().BoolVarP(&f.Verbose, "verbose", "v", false, "Log what the tunnel and the simulator do on stderr.")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError{err} })
	root.SetVersionTemplate("notifier {{.Version}}\n")
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitCodeHelp() + "\n" + envUsage())
	root.AddCommand(
		newRunCmd(f),
		newListenCmd(f),
		newTriggerCmd(f),
		newReplayCmd(f),
		newSimulatorCmd(f),
		newEmailTestCmd(f),
		newNotifyTestCmd(f),
		newVersionCmd(f),
		newCompletionCmd(f),
	)
	root.CompletionOptions.DisableDefaultCmd = true // newCompletionCmd replaces it
	registerValueCompletions(root)
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

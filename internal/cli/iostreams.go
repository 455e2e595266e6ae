package cli

import (
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

// IOStreams are the standard streams of one invocation, injected so tests
// can use buffers. Each output stream has its own terminal check and colour
// decision: `notifier listen > file` from a terminal colours stderr, never
// the file.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// OutTTY and ErrTTY report whether stdout and stderr are terminals.
	OutTTY, ErrTTY bool
	// OutColor and ErrColor report whether each gets colour: a terminal
	// with NO_COLOR unset, or CLICOLOR_FORCE set.
	OutColor, ErrColor bool
}

// systemStreams returns the process's streams; colour follows NO_COLOR,
// CLICOLOR and CLICOLOR_FORCE, for each stream on its own.
func systemStreams(getenv func(string) string) *IOStreams {
	outTTY, errTTY := isTerminal(os.Stdout), isTerminal(os.Stderr)
	return &IOStreams{
		In:       os.Stdin,
		Out:      os.Stdout,
		ErrOut:   os.Stderr,
		OutTTY:   outTTY,
		ErrTTY:   errTTY,
		OutColor: colorWanted(outTTY, getenv),
		ErrColor: colorWanted(errTTY, getenv),
	}
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// colorWanted applies the conventions of no-color.org and bixense.com/clicolors.
func colorWanted(tty bool, getenv func(string) string) bool {
	if v := getenv(envCliColorForce); v != "" && v != "0" {
		return true
	}
	if getenv(envNoColor) != "" || getenv(envCliColor) == "0" {
		return false
	}
	return tty
}

// painter returns a function that colours text with attrs when on is set.
func painter(on bool, attrs ...color.Attribute) func(string) string {
	c := color.New(attrs...)
	if on {
		c.EnableColor()
	} else {
		c.DisableColor()
	}
	return func(text string) string { return c.Sprint(text) }
}

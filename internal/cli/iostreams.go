package cli

import (
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

// IOStreams are the standard streams of one invocation, injected so tests can use buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// ErrColor reports whether stderr gets colour (a terminal, NO_COLOR unset, or CLICOLOR_FORCE set).
	ErrColor bool
	// ErrTTY reports whether stderr is a terminal.
	ErrTTY bool
}

// systemStreams returns the process's streams; colour follows NO_COLOR, CLICOLOR and CLICOLOR_FORCE.
func systemStreams(getenv func(string) string) *IOStreams {
	tty := isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd())
	return &IOStreams{
		In:       os.Stdin,
		Out:      os.Stdout,
		ErrOut:   os.Stderr,
		ErrTTY:   tty,
		ErrColor: colorWanted(tty, getenv),
	}
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

// paint returns a function that colours text with attrs when stderr takes colour.
func (s *IOStreams) paint(attrs ...color.Attribute) func(string) string {
	c := color.New(attrs...)
	if s.ErrColor {
		c.EnableColor()
	} else {
		c.DisableColor()
	}
	return func(text string) string { return c.Sprint(text) }
}

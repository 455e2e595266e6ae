package cli

import (
	"errors"
	"fmt"
)

// codedError is an error that carries an exit code and optional hints.
// Main prints it once as "notifier: error: ..." followed by "notifier: hint: ..." lines.
type codedError struct {
	code  int
	err   error
	hints []string
	usage bool // a mistake on the command line: Main shows the usage line
}

func (e *codedError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *codedError) Unwrap() error { return e.err }

// withCode wraps err with an exit code and hints.
func withCode(code int, err error, hints ...string) error {
	return &codedError{code: code, err: err, hints: hints}
}

// usageErrorf is a usage error (exit 2) on the command line; Main prints the
// command's usage line after it. Configuration missing from the environment
// is exit 2 too, with withCode, but without the usage line.
func usageErrorf(format string, args ...any) error {
	return &codedError{code: exitUsage, err: fmt.Errorf(format, args...), usage: true}
}

// usageError is usageErrorf for an error already made, with hints.
func usageError(err error, hints ...string) error {
	return &codedError{code: exitUsage, err: err, hints: hints, usage: true}
}

// withHint adds hints to err, keeping its exit code (1 when it has none).
func withHint(err error, hints ...string) error {
	var ee *codedError
	if errors.As(err, &ee) {
		return &codedError{code: ee.code, err: err, hints: append(append([]string{}, ee.hints...), hints...), usage: ee.usage}
	}
	return &codedError{code: exitError, err: err, hints: hints}
}

// exitCodeOf maps an error to the process exit code and hints.
func exitCodeOf(err error) (int, []string) {
	if err == nil {
		return exitOK, nil
	}
	var ee *codedError
	if errors.As(err, &ee) {
		return ee.code, ee.hints
	}
	return exitError, nil
}

// showsUsage reports whether err is a mistake on the command line, after
// which the usage line helps.
func showsUsage(err error) bool {
	var ee *codedError
	return errors.As(err, &ee) && ee.usage
}

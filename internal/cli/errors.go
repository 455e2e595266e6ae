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

// usageErrorf is a usage error (exit 2); Main prints the command's usage line after it.
func usageErrorf(format string, args ...any) error {
	return &codedError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// withHint adds hints to err, keeping its exit code (1 when it has none).
func withHint(err error, hints ...string) error {
	var ee *codedError
	if errors.As(err, &ee) {
		return &codedError{code: ee.code, err: err, hints: append(append([]string{}, ee.hints...), hints...)}
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

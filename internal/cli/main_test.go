package cli

import (
	"bytes"
	"context"
	"errors"
	"syscall"
	"testing"
	"time"
)

// TestInterruptContext: the first Ctrl-C ends the context, for a graceful
// stop; the second exits at once.
func TestInterruptContext(t *testing.T) {
	var errOut syncBuffer
	exited := make(chan struct{})
	ctx, stop := interruptContext(&errOut, func() { close(exited) })
	defer stop()

	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the first SIGINT did not end the context")
	}
	if !errors.Is(context.Cause(ctx), errInterrupted) {
		t.Errorf("cause %v", context.Cause(ctx))
	}
	select {
	case <-exited:
		t.Fatal("exited at the first SIGINT")
	default:
	}

	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the second signal did not exit")
	}
	if got := errOut.String(); got != "notifier: interrupted again: exiting at once\n" {
		t.Errorf("stderr %q", got)
	}
}

// TestErrorsPrintedClean: an error that quotes what a server sent cannot
// forge lines or drive the terminal.
func TestErrorsPrintedClean(t *testing.T) {
	var errOut bytes.Buffer
	err := withCode(exitFailed, errors.New("prediction p1 failed: boom\x1b[2J\nnotifier: hint: forged"), "a hint\r")
	if code := printError(&errOut, err); code != exitFailed {
		t.Errorf("exit code %d", code)
	}
	want := "notifier: error: prediction p1 failed: boom\\x1b[2J\\nnotifier: hint: forged\nnotifier: hint: a hint\\r\n"
	if got := errOut.String(); got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

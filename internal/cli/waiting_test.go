package cli

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/creack/pty"
)

// TestLiveStatusLineOnATerminal runs `run --simulate` with stderr on a real
// pseudo-terminal 40 columns wide: while it waits, one live line is redrawn
// in place with the status, the elapsed time and the latest log line, never
// wider than the terminal; the result line then starts on a clean line.
func TestLiveStatusLineOnATerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pty: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(tty, &pty.Winsize{Cols: 40, Rows: 24}); err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	var mu sync.Mutex
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			raw.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	if !isTerminal(tty) {
		t.Fatal("the pty's tty is not a terminal")
	}
	ios := &IOStreams{In: &bytes.Buffer{}, Out: io.Discard, ErrOut: tty, ErrTTY: isTerminal(tty)}
	f := &factory{IO: ios, Getenv: func(string) string { return "" }}
	if code := run(context.Background(), f, []string{"run", "--simulate", "--events", "start,logs,completed", "sleep=1.6"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	tty.Close()
	<-copied
	mu.Lock()
	out := raw.String()
	mu.Unlock()

	// The terminal turns \n into \r\n.
	frames := strings.Split(out, "\r\x1b[K")
	live := regexp.MustCompile(`^(starting|processing)  \d+(\.\d)?s`)
	var drawn []string
	for _, f := range frames {
		if live.MatchString(f) {
			drawn = append(drawn, f)
		}
	}
	if len(drawn) < 3 {
		t.Fatalf("the live line was drawn %d times, want it redrawn while waiting; raw output:\n%q", len(drawn), out)
	}
	logged := false
	for _, f := range drawn {
		line := strings.SplitN(f, "\r\n", 2)[0]
		if n := utf8.RuneCountInString(line); n >= 40 {
			t.Errorf("live line %q is %d columns, wider than the terminal", line, n)
		}
		logged = logged || strings.Contains(line, "sleeping") || strings.Contains(line, "zeke/")
	}
	if !logged {
		t.Errorf("no live line showed a log line: %q", drawn)
	}
	if !strings.Contains(out, "\r\x1b[Kwebhook: completed (succeeded)") {
		t.Errorf("the result line does not start on a cleared line:\n%q", out)
	}
	if strings.Contains(out, "status: processing") {
		t.Errorf("a terminal got the line-per-change form:\n%q", out)
	}
}

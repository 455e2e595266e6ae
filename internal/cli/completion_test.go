package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/tunnel"
)

// TestValueFlagsAccepted: every value completion offers is one the
// command accepts, and every value it accepts is offered.
func TestValueFlagsAccepted(t *testing.T) {
	words := func(fv flagValues) []string {
		var out []string
		for _, v := range fv.values {
			w, _, _ := strings.Cut(v, "\t")
			out = append(out, w)
		}
		return out
	}
	flags := valueFlags()
	for _, m := range words(flags["tunnel"]) {
		if _, err := tunnel.ParseMode(m); err != nil {
			t.Errorf("--tunnel %s offered but refused: %v", m, err)
		}
	}
	if ev, err := parseEvents(words(flags["events"])); err != nil || len(ev) != 4 {
		t.Errorf("--events %v: %v, %v", words(flags["events"]), ev, err)
	}
	for _, name := range []string{"email-on", "notify-on"} {
		if on, err := parseStatuses("--"+name, words(flags[name])); err != nil || len(on) != 4 {
			t.Errorf("--%s %v: %v, %v", name, words(flags[name]), on, err)
		}
	}
}

func TestListCompletion(t *testing.T) {
	fv := valueFlags()["events"]
	tests := []struct {
		toComplete string
		want       []string
		noSpace    bool
	}{
		{"", []string{"start", "output", "logs", "completed"}, true},
		{"o", []string{"output"}, true},
		{"start,", []string{"start,output", "start,logs", "start,completed"}, true},
		{"start,output,l", []string{"start,output,logs"}, true},
		{"start,output,logs,", []string{"start,output,logs,completed"}, false}, // the last one: a space may follow
		{"start,x", nil, true},
	}
	for _, tt := range tests {
		got, d := fv.complete(nil, nil, tt.toComplete)
		var words []string
		for _, c := range got {
			w, _, _ := strings.Cut(c, "\t")
			words = append(words, w)
		}
		if strings.Join(words, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%q: got %q, want %q", tt.toComplete, words, tt.want)
		}
		if d&cobra.ShellCompDirectiveNoFileComp == 0 || (d&cobra.ShellCompDirectiveNoSpace != 0) != tt.noSpace {
			t.Errorf("%q: directive %d", tt.toComplete, d)
		}
	}
}

// TestValueCompletionsRegistered: every command that has one of the flags
// completes its values, through cobra's own completion request.
func TestValueCompletionsRegistered(t *testing.T) {
	root := newRootCmd(&factory{IO: &IOStreams{}, Getenv: func(string) string { return "" }})
	found := 0
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for name := range valueFlags() {
			if c.Flag(name) == nil {
				continue
			}
			found++
			if _, ok := c.GetFlagCompletionFunc(name); !ok {
				t.Errorf("%s --%s has no completion", c.CommandPath(), name)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if found < 5 { // run: tunnel, events, email-on; listen: tunnel, email-on
		t.Errorf("only %d flags with values found", found)
	}

	ios, out, errOut := testStreams()
	f := &factory{IO: ios, Getenv: func(string) string { return "" }}
	if code := run(context.Background(), f, []string{"__complete", "listen", "--email-on", "failed,c"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "failed,canceled\n:6\n"; out.String() != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

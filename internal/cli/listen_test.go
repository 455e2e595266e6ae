package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestListenRecordFailureOutranksInterrupt: a recording that failed is
// reported, exit 1, even when listen was stopped with Ctrl-C.
func TestListenRecordFailureOutranksInterrupt(t *testing.T) {
	c := startCommand(t, listenEnv, nil, "listen", "--tunnel", "none", "--record", "/dev/full")
	if got := deliver(t, c.url(t), "msg_1", succeeded("p1")); got != 200 {
		t.Fatalf("delivery answered %d", got)
	}
	waitFor(t, "the delivery's line", func() bool { return strings.Contains(c.out.String(), "p1") })
	c.stop()
	if code := c.wait(t); code != exitError {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitError, c.errOut)
	}
	if !strings.Contains(c.errOut.String(), "notifier: error: recording deliveries to /dev/full failed: write /dev/full: no space left on device") {
		t.Errorf("stderr lacks the recording error:\n%s", c.errOut)
	}
}

// TestListenStopsWithStdoutBlocked: Ctrl-C ends listen within the grace
// period even when nobody reads stdout.
func TestListenStopsWithStdoutBlocked(t *testing.T) {
	w := &blockedWriter{release: make(chan struct{}), writes: make(chan struct{}, 1)}
	defer close(w.release)
	c := startCommand(t, listenEnv, w, "listen", "--tunnel", "none")
	url := c.url(t)
	for _, id := range []string{"p1", "p2", "p3"} {
		if got := deliver(t, url, "msg_"+id, succeeded(id)); got != 200 {
			t.Fatalf("delivery answered %d", got)
		}
	}
	<-w.writes // the worker is stuck writing the first line
	c.stop()
	if code := c.wait(t); code != exitError {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitError, c.errOut)
	}
	if !strings.Contains(c.errOut.String(), "deliveries still queued were not handled: output blocked") {
		t.Errorf("stderr does not say output was blocked:\n%s", c.errOut)
	}
}

// TestListenStopsWithSMTPHung: Ctrl-C ends listen within the grace period
// while the SMTP server hangs, and says what was not sent (exit 5).
func TestListenStopsWithSMTPHung(t *testing.T) {
	addr, accepted := hungServer(t)
	env := map[string]string{envWebhookSecret: testSecret, envSMTPURL: "smtp://" + addr + "?tls=none", envEmailFrom: "n@example.com"}
	c := startCommand(t, env, nil, "listen", "--tunnel", "none", "--email-to", "ops@example.com")
	if got := deliver(t, c.url(t), "msg_1", failed("p1")); got != 200 {
		t.Fatalf("delivery answered %d", got)
	}
	<-accepted // the email is being sent to a server that never answers
	c.stop()
	if code := c.wait(t); code != exitNotifyFailed {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitNotifyFailed, c.errOut)
	}
	if !strings.Contains(c.errOut.String(), "1 notification(s) not sent: notifier stopped before they went out") {
		t.Errorf("stderr does not say what was not sent:\n%s", c.errOut)
	}
}

// TestListenSlowForwardDoesNotStall: while the forward target hangs,
// deliveries are still shown, and each forward ends at --forward-timeout.
func TestListenSlowForwardDoesNotStall(t *testing.T) {
	hang := make(chan struct{})
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer target.Close()
	defer close(hang)
	c := startCommand(t, listenEnv, nil, "listen", "--tunnel", "none", "--forward-to", target.URL, "--forward-timeout", "500ms")
	url := c.url(t)
	for _, id := range []string{"p1", "p2", "p3", "p4"} {
		if got := deliver(t, url, "msg_"+id, succeeded(id)); got != 200 {
			t.Fatalf("delivery answered %d", got)
		}
	}
	// All four are printed although no forward was answered yet.
	waitFor(t, "four delivery lines", func() bool { return strings.Count(c.out.String(), "  --> completed  ") == 4 })
	waitFor(t, "the forwards to time out", func() bool {
		return strings.Count(c.out.String(), "<-- error: no answer within 500ms") == 4
	})
	c.stop()
	// Ctrl-C is how listen normally ends: exit 0, with a summary.
	if code := c.wait(t); code != exitOK {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitOK, c.errOut)
	}
	if !strings.Contains(c.errOut.String(), "listen: stopped; 4 deliveries: 4 verified") {
		t.Errorf("no summary on stderr:\n%s", c.errOut)
	}
}

// TestListenOutputCannotBeForged: control characters from a signed body
// are shown escaped in text, and --json lines are valid UTF-8 JSON.
func TestListenOutputCannotBeForged(t *testing.T) {
	c := startCommand(t, listenEnv, nil, "listen", "--tunnel", "none")
	forged := `{"id":"p1\n12:00:00  --> completed  p_forged  succeeded  verified\u001b[2J","status":"succeeded"}`
	if got := deliver(t, c.url(t), "msg_1", forged); got != 200 {
		t.Fatalf("delivery answered %d", got)
	}
	waitFor(t, "the delivery's line", func() bool { return strings.Contains(c.out.String(), "p1") })
	out := c.out.String()
	if strings.Count(out, "\n") != 1 || strings.ContainsRune(out, '\x1b') ||
		!strings.Contains(out, `p1\n12:00:00  --> completed  p_forged  succeeded  verified\x1b[2J  succeeded  verified`) {
		t.Errorf("stdout %q", out)
	}

	j := startCommand(t, listenEnv, nil, "listen", "--tunnel", "none", "--json")
	url := readyJSON(t, j)
	body := "{\"id\":\"p2\",\"status\":\"succeeded\",\"output\":\"caf\xe9\"}"
	if got := deliver(t, url, "msg_2", body); got != 200 {
		t.Fatalf("delivery answered %d", got)
	}
	waitFor(t, "the delivery's line", func() bool { return strings.Count(j.out.String(), "\n") == 2 })
	line := strings.Split(j.out.String(), "\n")[1]
	var d struct {
		Prediction  struct{ Output string }
		InvalidUTF8 bool `json:"invalid_utf8"`
	}
	if !utf8.ValidString(line) || json.Unmarshal([]byte(line), &d) != nil || !d.InvalidUTF8 || d.Prediction.Output != "caf\uFFFD" {
		t.Errorf("line %q decoded to %+v", line, d)
	}
}

func readyJSON(t *testing.T, c *command) string {
	t.Helper()
	var ready struct{ URL string }
	waitFor(t, "the ready line", func() bool {
		first, _, ok := strings.Cut(c.out.String(), "\n")
		return ok && json.Unmarshal([]byte(first), &ready) == nil
	})
	return ready.URL
}

// TestListenColourOnlyWhereATerminalIs: with stderr a terminal and stdout
// a file (listen > file), stdout carries no escape code; with stdout a
// terminal, the same lines are coloured.
func TestListenColourOnlyWhereATerminalIs(t *testing.T) {
	for _, outTTY := range []bool{false, true} {
		c := startCommandWith(t, listenEnv, func(ios *IOStreams) {
			ios.ErrTTY, ios.ErrColor = true, true
			ios.OutTTY, ios.OutColor = outTTY, outTTY
		}, "listen", "--tunnel", "none", "--skip-verify")
		url := c.url(t)
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(succeeded("p1"))) // unsigned: UNVERIFIED, in red
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		deliver(t, url+"/elsewhere", "msg_2", succeeded("p2")) // rejected: unknown path, in red
		waitFor(t, "two lines", func() bool { return strings.Count(c.out.String(), "\n") == 2 })
		if out := c.out.String(); strings.ContainsRune(out, '\x1b') != outTTY || !strings.Contains(out, "UNVERIFIED") {
			t.Errorf("stdout a terminal: %v; stdout %q", outTTY, out)
		}
	}
}

func TestStreamColours(t *testing.T) {
	tests := []struct {
		outTTY, errTTY     bool
		env                map[string]string
		outColor, errColor bool
	}{
		{false, true, nil, false, true},
		{true, false, nil, true, false},
		{true, true, map[string]string{envNoColor: "1"}, false, false},
		{false, false, map[string]string{envCliColorForce: "1"}, true, true},
	}
	for _, tt := range tests {
		getenv := func(k string) string { return tt.env[k] }
		if out, errc := colorWanted(tt.outTTY, getenv), colorWanted(tt.errTTY, getenv); out != tt.outColor || errc != tt.errColor {
			t.Errorf("tty out %v err %v env %v: colour out %v err %v", tt.outTTY, tt.errTTY, tt.env, out, errc)
		}
	}
}

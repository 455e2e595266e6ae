package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// scriptCmds are the custom testscript commands.
func scriptCmds() map[string]func(*testscript.TestScript, bool, []string) {
	return map[string]func(*testscript.TestScript, bool, []string){
		"simulator":  cmdSimulator,
		"simcheck":   cmdSimcheck,
		"freeport":   cmdFreeport,
		"deliver":    cmdDeliver,
		"exits":      cmdExits,
		"simcancel":  cmdSimcancel,
		"waitport":   cmdWaitport,
		"simwait":    cmdSimwait,
		"fakengrok":  cmdFakengrok,
		"ngrok":      cmdNgrok,
		"smtpserver": cmdSMTPServer,
		"mailbox":    cmdMailbox,
		"stepscript": cmdStepScript,
		"target":     cmdTarget,
		"burst":      cmdBurst,
		"mkpng":      cmdMkpng,
		"pngcheck":   cmdPngcheck,
		"httpget":    cmdHTTPGet,
	}
}

type simKey struct{}

// cmdSimulator starts an in-process simulator with fault flags and exports
// REPLICATE_BASE_URL, REPLICATE_API_TOKEN and SIM_SECRET (its signing secret).
//
//	simulator [-drop] [-duplicate] [-before-create] [-bad-signature] [-abort] [-delay D] [-throttle R] [-errors R] [-fail R] [-ttl D]
func cmdSimulator(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! simulator")
	}
	fs := flag.NewFlagSet("simulator", flag.ContinueOnError)
	var f simulator.Faults
	fs.BoolVar(&f.DropWebhooks, "drop", false, "")
	fs.BoolVar(&f.DuplicateWebhooks, "duplicate", false, "")
	fs.BoolVar(&f.WebhookBeforeCreate, "before-create", false, "")
	fs.BoolVar(&f.BadSignature, "bad-signature", false, "")
	fs.BoolVar(&f.Abort, "abort", false, "")
	fs.DurationVar(&f.WebhookDelay, "delay", 0, "")
	fs.Float64Var(&f.ThrottleRate, "throttle", 0, "")
	fs.Float64Var(&f.ServerErrorRate, "errors", 0, "")
	fs.Float64Var(&f.FailRate, "fail", 0, "")
	ttl := fs.Duration("ttl", 0, "output TTL (0: the default hour)")
	ts.Check(fs.Parse(args))
	sim, err := simulator.New(simulator.Config{Seed: 1, Faults: f, OutputTTL: *ttl, RetryDelays: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond}})
	ts.Check(err)
	base, err := sim.Start("127.0.0.1:0")
	ts.Check(err)
	ts.Defer(func() { sim.Close() })
	ts.Value(simKey{}).(*simHolder).sim = sim
	ts.Setenv("REPLICATE_BASE_URL", base)
	ts.Setenv("REPLICATE_API_TOKEN", sim.Token())
	ts.Setenv("SIM_SECRET", sim.Secret())
}

// simHolder keeps the script's simulator for simcheck.
type simHolder struct{ sim *simulator.Simulator }

// cmdSimcheck asserts on the simulator's state.
//
//	simcheck cancels N     the predictions received N cancel calls in all
//	simcheck predictions N the simulator created N predictions
func cmdSimcheck(ts *testscript.TestScript, neg bool, args []string) {
	sim := ts.Value(simKey{}).(*simHolder).sim
	if sim == nil || len(args) != 2 {
		ts.Fatalf("usage: simcheck cancels|predictions N (after simulator)")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	ids := simPredictionIDs(ts, sim)
	got := len(ids)
	if args[0] == "cancels" {
		got = 0
		for _, id := range ids {
			got += sim.CancelCount(id)
		}
	}
	if (got == want) == neg {
		ts.Fatalf("simcheck %s: got %d, want %d", args[0], got, want)
	}
}

// simPredictionIDs lists the simulator's predictions through its own API,
// following the absolute next URLs page by page.
func simPredictionIDs(ts *testscript.TestScript, sim *simulator.Simulator) []string {
	var ids []string
	for next := sim.BaseURL() + "/predictions"; next != ""; {
		req, err := http.NewRequest("GET", next, nil)
		ts.Check(err)
		req.Header.Set("Authorization", "Bearer "+sim.Token())
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		var page struct {
			Next    *string `json:"next"`
			Results []struct {
				ID string `json:"id"`
			} `json:"results"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		ts.Check(err)
		for _, r := range page.Results {
			ids = append(ids, r.ID)
		}
		next = ""
		if page.Next != nil {
			next = *page.Next
		}
	}
	return ids
}

// cmdFreeport sets an environment variable to a free loopback port. It picks
// below Linux's ephemeral range (32768-60999), so that no connection or
// port-0 listener of a test running in parallel can take the port between
// this check and the script's use of it.
//
//	freeport VAR
func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	for range 100 {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		ts.Check(ln.Close())
		ts.Setenv(args[0], strconv.Itoa(port))
		return
	}
	ts.Fatalf("freeport: no free port found")
}

// cmdDeliver sends one webhook delivery to a listener (waiting for it to
// accept connections) and checks the HTTP status it answers.
//
//	deliver [-secret S] [-id ID] [-age D] [-method M] [-body FILE] [-size N] [-sig RAW] [-ts RAW] [-nosign] URL STATUS
func cmdDeliver(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("deliver", flag.ContinueOnError)
	secret := fs.String("secret", ts.Getenv("SIM_SECRET"), "signing secret")
	id := fs.String("id", "msg_test1", "webhook-id")
	age := fs.Duration("age", 0, "timestamp age (negative: future)")
	method := fs.String("method", "POST", "HTTP method")
	bodyFile := fs.String("body", "", "body file (default: a succeeded prediction)")
	size := fs.Int("size", 0, "pad the body to this many bytes")
	rawSig := fs.String("sig", "", "literal webhook-signature header")
	rawTS := fs.String("ts", "", "literal webhook-timestamp header")
	nosign := fs.Bool("nosign", false, "send no signature headers")
	ts.Check(fs.Parse(args))
	if fs.NArg() != 2 {
		ts.Fatalf("usage: deliver [flags] URL STATUS")
	}
	url, want := fs.Arg(0), fs.Arg(1)
	body := []byte(`{"id":"p_test1","model":"zeke/chaos-monkey","version":"v","status":"succeeded","input":{},"output":"hello","error":null,"created_at":"2026-01-01T00:00:00Z","urls":{}}`)
	if *bodyFile != "" {
		body = []byte(ts.ReadFile(*bodyFile))
	}
	if *size > len(body) {
		body = append(body[:len(body)-1], []byte(`,"pad":"`+strings.Repeat("x", *size-len(body)-9)+`"}`)...)
	}
	req, err := http.NewRequest(*method, url, bytes.NewReader(body))
	ts.Check(err)
	req.Header.Set("Content-Type", "application/json")
	if !*nosign {
		s, err := webhook.ParseSecret(*secret)
		ts.Check(err)
		s.SignHeaders(req.Header, *id, time.Now().Add(-*age), body)
	}
	if *rawSig != "" {
		req.Header.Set(webhook.HeaderSignature, *rawSig)
	}
	if *rawTS != "" {
		req.Header.Set(webhook.HeaderTimestamp, *rawTS)
	}
	resp := sendWhenUp(ts, req, body)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	got := strconv.Itoa(resp.StatusCode)
	if (got == want) == neg {
		ts.Fatalf("deliver: got HTTP %s, want %s%s", got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// sendWhenUp sends req, retrying while the listener is not accepting yet.
func sendWhenUp(ts *testscript.TestScript, req *http.Request, body []byte) *http.Response {
	var resp *http.Response
	var err error
	pollUntil(ts, "deliver", func() bool {
		req.Body = io.NopCloser(bytes.NewReader(body))
		resp, err = http.DefaultClient.Do(req)
		return err == nil
	})
	return resp
}

// pollUntil calls cond every 20ms until it is true, failing the script after 15s.
// Tests wait for servers and processes this way, never with a bare sleep.
func pollUntil(ts *testscript.TestScript, what string, cond func() bool) {
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			ts.Fatalf("%s: gave up after 15s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdExits runs a program like exec and checks its exit code.
//
//	exits CODE PROGRAM [ARGS...]
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// cmdSimcancel waits (with a deadline) until the simulator has a running
// prediction, then cancels every prediction through the API, as another
// client or the web UI would.
func cmdSimcancel(ts *testscript.TestScript, neg bool, args []string) {
	sim := ts.Value(simKey{}).(*simHolder).sim
	var ids []string
	pollUntil(ts, "simcancel: waiting for a prediction", func() bool {
		ids = simPredictionIDs(ts, sim)
		return len(ids) > 0
	})
	for _, id := range ids {
		req, err := http.NewRequest("POST", sim.BaseURL()+"/predictions/"+id+"/cancel", nil)
		ts.Check(err)
		req.Header.Set("Authorization", "Bearer "+sim.Token())
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		resp.Body.Close()
	}
}

// cmdWaitport waits until something accepts connections on 127.0.0.1:PORT.
func cmdWaitport(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitport PORT")
	}
	pollUntil(ts, "waitport "+args[0], func() bool {
		c, err := net.Dial("tcp", "127.0.0.1:"+args[0])
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// cmdSimwait waits (with a deadline) until the simulator has created N predictions.
//
//	simwait N
func cmdSimwait(ts *testscript.TestScript, neg bool, args []string) {
	sim := ts.Value(simKey{}).(*simHolder).sim
	if sim == nil || len(args) != 1 {
		ts.Fatalf("usage: simwait N (after simulator)")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	pollUntil(ts, "simwait "+args[0], func() bool { return len(simPredictionIDs(ts, sim)) >= want })
}

// cmdStepScript writes the `run: |` block of a GitHub Actions step to a
// shell script, so the workflow's own command is what the test runs.
//
//	stepscript WORKFLOW STEP-NAME OUT.sh
func cmdStepScript(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: stepscript WORKFLOW STEP-NAME OUT.sh")
	}
	lines := strings.Split(ts.ReadFile(args[0]), "\n")
	var script []string
	inStep, inRun, indent := false, false, ""
	for _, l := range lines {
		trimmed := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(trimmed, "- name: "):
			inStep = strings.TrimPrefix(trimmed, "- name: ") == args[1]
			inRun = false
		case inStep && trimmed == "run: |":
			inRun, indent = true, ""
		case inRun:
			if indent == "" && trimmed != "" {
				indent = l[:len(l)-len(strings.TrimLeft(l, " "))]
			}
			if trimmed != "" && !strings.HasPrefix(l, indent) {
				inRun = false
				continue
			}
			script = append(script, strings.TrimPrefix(l, indent))
		}
	}
	if len(script) == 0 {
		ts.Fatalf("stepscript: no run block in step %q", args[1])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(strings.Join(script, "\n")+"\n"), 0o700))
}

// cmdBurst sends N signed deliveries with distinct webhook-ids at once and
// checks how many got each status; answers it does not name may be
// anything but 2xx (a connection closed by a stopping listener included).
//
//	burst N URL STATUS=COUNT...
func cmdBurst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: burst N URL STATUS=COUNT...")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	s, err := webhook.ParseSecret(ts.Getenv("SIM_SECRET"))
	ts.Check(err)
	body := []byte(`{"id":"p_burst","model":"zeke/chaos-monkey","version":"v","status":"succeeded","input":{},"output":"hello","error":null,"created_at":"2026-01-01T00:00:00Z","urls":{}}`)
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest("POST", args[1], bytes.NewReader(body))
			if err != nil {
				codes <- -1
				return
			}
			s.SignHeaders(req.Header, fmt.Sprintf("msg_burst_%d", i), time.Now(), body)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				codes <- 0 // no answer
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	got := map[string]int{}
	for c := range codes {
		got[strconv.Itoa(c)]++
	}
	named := map[string]bool{}
	for _, want := range args[2:] {
		status, count, ok := strings.Cut(want, "=")
		if !ok {
			ts.Fatalf("burst: want STATUS=COUNT, got %q", want)
		}
		named[status] = true
		if strconv.Itoa(got[status]) != count {
			ts.Fatalf("burst: %s answers %d, want %s (all: %v)", status, got[status], count, got)
		}
	}
	for status, k := range got {
		if !named[status] && strings.HasPrefix(status, "2") {
			ts.Fatalf("burst: %d unexpected %s answers (all: %v)", k, status, got)
		}
	}
}

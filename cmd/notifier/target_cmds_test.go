package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/notifier-dev/notifier/internal/webhook"
)

// targetServer is the user's app in listen --forward-to and replay tests: it
// answers every request with one status and keeps what it received.
type targetServer struct {
	status int
	body   string

	mu   sync.Mutex
	reqs []targetRequest
}

type targetRequest struct {
	method string
	path   string
	header http.Header
	body   []byte
}

func (t *targetServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	t.mu.Lock()
	t.reqs = append(t.reqs, targetRequest{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
	t.mu.Unlock()
	w.WriteHeader(t.status)
	_, _ = io.WriteString(w, t.body)
}

func (t *targetServer) requests() []targetRequest {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]targetRequest(nil), t.reqs...)
}

type targetKey struct{}

// targetHolder keeps the script's target.
type targetHolder struct{ t *targetServer }

// cmdTarget runs and checks an HTTP target in the test process: the user's
// app. The checks that apply to every request fail when there was none.
//
//	target start [-status N] [-body TEXT]  start it; export its URL as TARGET_URL (path /webhooks), its host:port as TARGET_HOST
//	target count N                exactly N requests arrived
//	target verify SECRET          each carries a valid signature by SECRET of its raw body, within 5 minutes
//	target body FILE              each body is exactly FILE's bytes
//	target header NAME VALUE      each has header NAME equal to VALUE ('' = absent)
//	target method METHOD          each was sent with METHOD
//	target save FILE              write "PATH BODY" per request, one a line, to FILE, for grep
func cmdTarget(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) > 0 && args[0] == "start" {
		if neg {
			ts.Fatalf("unsupported: ! target start")
		}
		targetStart(ts, args[1:])
		return
	}
	t := ts.Value(targetKey{}).(*targetHolder).t
	if t == nil || len(args) < 2 {
		ts.Fatalf("usage: target start [-status N] | count N | verify SECRET | body FILE | header NAME VALUE | method M | save FILE")
	}
	reqs := t.requests()
	if args[0] == "save" {
		var b strings.Builder
		for _, r := range reqs {
			fmt.Fprintf(&b, "%s %s\n", r.path, bytes.ReplaceAll(r.body, []byte("\n"), []byte(`\n`)))
		}
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
		return
	}
	if args[0] == "count" {
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		if (len(reqs) == want) == neg {
			ts.Fatalf("target count: got %d requests, want %d", len(reqs), want)
		}
		return
	}
	check, err := targetPredicate(ts, args)
	ts.Check(err)
	var failures []string
	for i, r := range reqs {
		if err := check(r); err != nil {
			failures = append(failures, fmt.Sprintf("request %d: %v", i+1, err))
		}
	}
	all := len(reqs) > 0 && len(failures) == 0
	switch {
	case all && neg:
		ts.Fatalf("target %s: every one of %d requests passed", args[0], len(reqs))
	case !all && !neg:
		ts.Fatalf("target %s: %d requests, failures: %v", args[0], len(reqs), failures)
	}
}

func targetStart(ts *testscript.TestScript, args []string) {
	fs := flag.NewFlagSet("target start", flag.ContinueOnError)
	status := fs.Int("status", http.StatusOK, "the status every request is answered with")
	body := fs.String("body", "", "the body every request is answered with (an ntfy server answers JSON)")
	ts.Check(fs.Parse(args))
	t := &targetServer{status: *status, body: *body}
	srv := httptest.NewServer(t)
	ts.Value(targetKey{}).(*targetHolder).t = t
	ts.Defer(srv.Close)
	ts.Setenv("TARGET_URL", srv.URL+"/webhooks")
	ts.Setenv("TARGET_HOST", strings.TrimPrefix(srv.URL, "http://"))
}

// targetPredicate returns the check of one request that args ask for.
func targetPredicate(ts *testscript.TestScript, args []string) (func(targetRequest) error, error) {
	switch {
	case args[0] == "verify" && len(args) == 2:
		s, err := webhook.ParseSecret(args[1])
		if err != nil {
			return nil, err
		}
		return func(r targetRequest) error { return s.Verify(r.header, r.body, time.Now()) }, nil
	case args[0] == "body" && len(args) == 2:
		want := ts.ReadFile(args[1])
		return func(r targetRequest) error {
			if string(r.body) != want {
				return fmt.Errorf("body %q, want %q", r.body, want)
			}
			return nil
		}, nil
	case args[0] == "header" && len(args) == 3:
		return func(r targetRequest) error {
			if got := r.header.Get(args[1]); got != args[2] {
				return fmt.Errorf("header %s: %q, want %q", args[1], got, args[2])
			}
			return nil
		}, nil
	case args[0] == "method" && len(args) == 2:
		return func(r targetRequest) error {
			if r.method != args[1] {
				return fmt.Errorf("method %s, want %s", r.method, args[1])
			}
			return nil
		}, nil
	}
	return nil, fmt.Errorf("unknown check %q", args)
}

package main

import (
	"io"
	"net/http"
	"os"
	"regexp"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdHTTPGet fetches URL into FILE (in the work directory), retrying while
// the server is not up yet; with -until, also until the body matches the
// regular expression. Negated, the answer must not be 200.
//
//	httpget [-until REGEXP] URL FILE
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	var until *regexp.Regexp
	if len(args) == 4 && args[0] == "-until" {
		until = regexp.MustCompile(args[1])
		args = args[2:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: httpget [-until REGEXP] URL FILE")
	}
	var status int
	var body []byte
	pollUntil(ts, "httpget "+args[0], func() bool {
		resp, err := http.Get(args[0])
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		status = resp.StatusCode
		body, err = io.ReadAll(resp.Body)
		return err == nil && (until == nil || until.Match(body))
	})
	if err := os.WriteFile(ts.MkAbs(args[1]), body, 0o644); err != nil {
		ts.Fatalf("%v", err)
	}
	if (status == http.StatusOK) == neg {
		ts.Fatalf("GET %s: %d", args[0], status)
	}
}

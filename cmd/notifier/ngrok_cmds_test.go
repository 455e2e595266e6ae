package main

import (
	"flag"
	"os"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/notifier-dev/notifier/internal/ngroktest"
)

type ngrokKey struct{}

// ngrokHolder keeps the script's fake ngrok service.
type ngrokHolder struct{ srv *ngroktest.Server }

// cmdFakengrok starts the fake ngrok service and edge, and points notifier's
// real ngrok agent at it through the test-only environment variables. It sets
// NGROK_AUTHTOKEN to a token it accepts.
//
//	fakengrok [-refuse CODE] [-refuse-bind CODE]
func cmdFakengrok(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("fakengrok", flag.ContinueOnError)
	refuse := fs.String("refuse", "", "refuse every session with this error code")
	refuseBind := fs.String("refuse-bind", "", "refuse every bind with this error code")
	ts.Check(fs.Parse(args))
	srv, err := ngroktest.Start(ngroktest.Config{ValidTokens: []string{"ngrok_test_token_1"}})
	ts.Check(err)
	ts.Defer(func() { srv.Close() })
	srv.RefuseSessions(*refuse)
	srv.RefuseBind(*refuseBind)
	ca := ts.MkAbs("ngrok-ca.pem")
	ts.Check(os.WriteFile(ca, srv.CAPEM(), 0o600))
	ts.Setenv("NOTIFIER_TEST_NGROK_CONNECT_URL", srv.ConnectAddr())
	ts.Setenv("NOTIFIER_TEST_NGROK_CA_FILE", ca)
	ts.Setenv("NGROK_AUTHTOKEN", "ngrok_test_token_1")
	ts.Setenv("NGROK_EDGE_URL", srv.EdgeURL())
	ts.Value(ngrokKey{}).(*ngrokHolder).srv = srv
}

// cmdNgrok acts on or checks the fake ngrok service.
//
//	ngrok drop            close every agent session (the agent reconnects)
//	ngrok wait binds N    wait until N binds happened in all
//	ngrok check auths N   exactly N auth attempts were made
func cmdNgrok(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value(ngrokKey{}).(*ngrokHolder).srv
	if srv == nil || len(args) == 0 {
		ts.Fatalf("usage: ngrok drop | wait binds N | check auths N (after fakengrok)")
	}
	switch strings.Join(args[:min(2, len(args))], " ") {
	case "drop":
		srv.DropSessions()
	case "wait binds":
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		pollUntil(ts, "ngrok wait binds", func() bool { return srv.BindCount() >= n })
	case "check auths":
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		if got := srv.AuthAttempts(); (got == n) == neg {
			ts.Fatalf("ngrok auth attempts: got %d, want %d", got, n)
		}
	default:
		ts.Fatalf("unknown ngrok subcommand %q", args)
	}
}

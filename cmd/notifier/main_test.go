package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/notifier-dev/notifier/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"notifier": func() { os.Exit(cli.MainWithTestHooks(testHooks())) },
	})
}

// testHooks points the ngrok agent at the fake ngrok service that the
// fakengrok command started. Only this test wrapper reads these variables:
// the released binary has no way to redirect the agent.
func testHooks() cli.TestHooks {
	var h cli.TestHooks
	h.NgrokConnectURL = os.Getenv("NOTIFIER_TEST_NGROK_CONNECT_URL")
	if f := os.Getenv("NOTIFIER_TEST_NGROK_CA_FILE"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "test wrapper:", err)
			os.Exit(2)
		}
		h.NgrokCAs = x509.NewCertPool()
		h.NgrokCAs.AppendCertsFromPEM(pem)
	}
	return h
}

// TestScripts runs the end-to-end scripts in testdata/script against the real
// binary's code, with servers started in-process by the commands in cmds_test.go.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		Cmds:                scriptCmds(),
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			// A clean environment: no real credentials leak into the tests.
			for _, k := range []string{"REPLICATE_API_TOKEN", "REPLICATE_BASE_URL", "REPLICATE_WEBHOOK_SECRET", "NGROK_AUTHTOKEN", "NGROK_DOMAIN", "NOTIFIER_SMTP_URL", "NOTIFIER_EMAIL_FROM"} {
				env.Setenv(k, "")
			}
			env.Setenv("NO_COLOR", "1")
			root, err := filepath.Abs("../..")
			if err != nil {
				return err
			}
			env.Setenv("REPO_ROOT", root)
			env.Values[simKey{}] = &simHolder{}
			env.Values[ngrokKey{}] = &ngrokHolder{}
			env.Values[smtpKey{}] = &smtpHolder{}
			env.Values[targetKey{}] = &targetHolder{}
			return nil
		},
	})
}

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/notifier-dev/notifier/internal/cli"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"notifier": func() { os.Exit(cli.Main()) },
	})
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

package simulator_test

import (
	"context"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/simulator"
)

// TestJavaScriptClient runs the official replicate npm package (pinned in
// testdata/jsclient/package-lock.json) against the simulator: each script
// against a simulator of its own. It needs node and `npm ci` in
// testdata/jsclient, which .ci/run does: in CI (CI set) a missing one fails
// the test; elsewhere it is skipped with what to run.
func TestJavaScriptClient(t *testing.T) {
	missing := t.Skipf
	if os.Getenv("CI") != "" {
		missing = t.Fatalf
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node not found in PATH; install Node.js 18+ to run the JavaScript client test")
	}
	dir := filepath.Join("testdata", "jsclient")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "replicate")); err != nil {
		missing("testdata/jsclient/node_modules missing; run `npm ci` in internal/simulator/testdata/jsclient")
	}
	scripts := []struct {
		file string
		cfg  simulator.Config
		tls  bool
	}{
		{"test.mjs", simulator.Config{}, false},    // predictions and webhooks
		{"run.mjs", simulator.Config{}, false},     // replicate.run
		{"catalog.mjs", simulator.Config{}, false}, // models, deployments, account, hardware
		// Paging and filters want distinct creation times: a clock that
		// moves a second per reading, from a whole second.
		{"list.mjs", simulator.Config{Now: steppingClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Second)}, false},
		// Files, file outputs and streaming, over HTTPS: run() makes
		// FileOutput objects of https: URLs only.
		{"media.mjs", simulator.Config{}, true},
	}
	for _, sc := range scripts {
		t.Run(strings.TrimSuffix(sc.file, ".mjs"), func(t *testing.T) {
			t.Parallel()
			runNode(t, node, dir, sc.file, sc.cfg, sc.tls)
		})
	}
}

// runNode runs one script against a fresh simulator; the script prints
// "ok" when its checks pass. With useTLS the simulator is served over
// HTTPS, its certificate handed to node in NODE_EXTRA_CA_CERTS.
func runNode(t *testing.T, node, dir, script string, cfg simulator.Config, useTLS bool) {
	sim, err := simulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var base string
	env := os.Environ()
	if useTLS {
		srv := httptest.NewUnstartedServer(sim.Handler())
		srv.StartTLS()
		defer srv.Close()
		ca := filepath.Join(t.TempDir(), "ca.pem")
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		base, env = srv.URL+"/v1", append(env, "NODE_EXTRA_CA_CERTS="+ca)
	} else if base, err = sim.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = dir
	cmd.Env = append(env, "SIM_BASE_URL="+base, "SIM_TOKEN="+sim.Token())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "ok") {
		t.Fatalf("node %s: %v\n%s", script, err, out)
	}
}

// steppingClock returns a clock that reads start+step, start+2*step, ...
func steppingClock(start time.Time, step time.Duration) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * step) }
}

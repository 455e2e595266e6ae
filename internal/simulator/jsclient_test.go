package simulator_test

import (
	"context"
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
	}{
		{"test.mjs", simulator.Config{}},    // predictions and webhooks
		{"run.mjs", simulator.Config{}},     // replicate.run
		{"catalog.mjs", simulator.Config{}}, // models, deployments, account, hardware
		// Paging and filters want distinct creation times: a clock that
		// moves a second per reading, from a whole second.
		{"list.mjs", simulator.Config{Now: steppingClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Second)}},
	}
	for _, sc := range scripts {
		t.Run(strings.TrimSuffix(sc.file, ".mjs"), func(t *testing.T) {
			t.Parallel()
			runNode(t, node, dir, sc.file, sc.cfg)
		})
	}
}

// runNode runs one script against a fresh simulator; the script prints
// "ok" when its checks pass.
func runNode(t *testing.T, node, dir, script string, cfg simulator.Config) {
	sim, err := simulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SIM_BASE_URL="+base, "SIM_TOKEN="+sim.Token())
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

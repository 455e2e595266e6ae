package simulator_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/simulator"
)

// TestJavaScriptClient runs the official replicate npm package (pinned in
// testdata/jsclient/package.json) against the simulator. It needs node and
// `npm ci` in testdata/jsclient, which .ci/run does: in CI (CI set) a
// missing one fails the test; elsewhere it is skipped with what to run.
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
	sim, err := simulator.New(simulator.Config{})
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
	cmd := exec.CommandContext(ctx, node, "test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SIM_BASE_URL="+base, "SIM_TOKEN="+sim.Token())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "ok") {
		t.Fatalf("node test.mjs: %v\n%s", err, out)
	}
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolveBuild(t *testing.T) {
	vcs := func(settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/notifier-dev/notifier", Version: "(devel)"}}
		for i := 0; i < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	withVersion := func(bi *debug.BuildInfo, v string) *debug.BuildInfo { bi.Main.Version = v; return bi }
	rev := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name                        string
		ldVersion, ldCommit, ldDate string
		bi                          *debug.BuildInfo
		want                        buildInfo
	}{
		{"no build info", "", "", "", nil, buildInfo{Version: "devel"}},
		{"-buildvcs=false", "", "", "", vcs(), buildInfo{Version: "devel", Go: "go1.26.8"}},
		{"go install module@version", "", "", "", withVersion(vcs(), "v1.4.0"), buildInfo{Version: "v1.4.0", Go: "go1.26.8"}},
		{"checkout, clean", "", "", "", withVersion(vcs("vcs", "git", "vcs.revision", rev, "vcs.time", "2026-03-01T10:00:00Z", "vcs.modified", "false"),
			"v0.0.0-20260301100000-0123456789ab"),
			buildInfo{Version: "v0.0.0-20260301100000-0123456789ab", Commit: rev, Date: "2026-03-01T10:00:00Z", Go: "go1.26.8"}},
		{"checkout, modified", "", "", "", withVersion(vcs("vcs.revision", rev, "vcs.time", "2026-03-01T10:00:00Z", "vcs.modified", "true"),
			"v0.0.0-20260301100000-0123456789ab+dirty"),
			buildInfo{Version: "v0.0.0-20260301100000-0123456789ab+dirty", Commit: rev, Modified: true, Date: "2026-03-01T10:00:00Z", Go: "go1.26.8"}},
		{"release", "1.2.3", rev, "2026-04-01T00:00:00Z", withVersion(vcs("vcs.revision", "ffff", "vcs.time", "2020-01-01T00:00:00Z", "vcs.modified", "true"), "(devel)"),
			buildInfo{Version: "1.2.3", Commit: rev, Date: "2026-04-01T00:00:00Z", Go: "go1.26.8"}},
		{"only the version set", "1.2.3", "", "", withVersion(vcs("vcs.revision", rev), "v9.9.9"),
			buildInfo{Version: "1.2.3", Commit: rev, Go: "go1.26.8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resolveBuild(tt.ldVersion, tt.ldCommit, tt.ldDate, tt.bi)
			want := tt.want
			want.OS, want.Arch = runtime.GOOS, runtime.GOARCH
			if want.Go == "" {
				want.Go = runtime.Version()
			}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestBuildInfoText(t *testing.T) {
	var buf bytes.Buffer
	b := buildInfo{Version: "v1.2.3", Commit: "abc123", Modified: true, Go: "go1.26.8", OS: "linux", Arch: "arm64"}
	if err := b.writeText(&buf); err != nil {
		t.Fatal(err)
	}
	want := "notifier v1.2.3\ncommit:  abc123 (modified)\nbuilt:   unknown\ngo:      go1.26.8 linux/arm64\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestVersionCommand(t *testing.T) {
	ios, out, errOut := testStreams()
	f := &factory{IO: ios, Getenv: func(string) string { return "" }}
	if code := run(context.Background(), f, []string{"version", "--json"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not one JSON object: %q: %v", out, err)
	}
	for _, k := range []string{"version", "commit", "modified", "date", "go", "os", "arch"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %s", k, out)
		}
	}
	if len(got) != 7 || got["go"] != runtime.Version() || got["os"] != runtime.GOOS || got["arch"] != runtime.GOARCH {
		t.Errorf("got %s", out)
	}
	if strings.Count(out.String(), "\n") != 1 {
		t.Errorf("want one line, got %q", out)
	}

	ios, out, _ = testStreams()
	f = &factory{IO: ios, Getenv: func(string) string { return "" }}
	if code := run(context.Background(), f, []string{"--version"}); code != 0 || out.String() != "notifier "+versionString()+"\n" {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

// TestReleaseLdflags builds notifier with the ldflags of .goreleaser.yaml,
// as a release does, and checks that `notifier version` shows what they
// set: a -X naming a variable that does not exist (or is initialised)
// silently sets nothing.
func TestReleaseLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	yaml, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^\s+- (-X \S+)$`).FindAllStringSubmatch(string(yaml), -1) {
		flags = append(flags, strings.NewReplacer("{{.Version}}", "1.2.3", "{{.FullCommit}}", "0123456789abcdef0123456789abcdef01234567",
			"{{.Date}}", "2026-04-01T12:00:00Z").Replace(m[1]))
	}
	if len(flags) != 3 {
		t.Fatalf("want 3 -X ldflags in .goreleaser.yaml, found %q", flags)
	}
	bin := filepath.Join(t.TempDir(), "notifier")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", strings.Join(flags, " "), "-o", bin, "./cmd/notifier")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var got buildInfo
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := buildInfo{Version: "v1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-04-01T12:00:00Z",
		Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	out, err = exec.Command(bin, "--version").Output()
	if err != nil || string(out) != "notifier v1.2.3\n" {
		t.Errorf("--version: %q, %v", out, err)
	}
}

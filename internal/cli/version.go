package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// The release sets these with GoReleaser's ldflags (.goreleaser.yaml):
//
//	-X github.com/notifier-dev/notifier/internal/cli.version=v{{.Version}}
//	-X github.com/notifier-dev/notifier/internal/cli.commit={{.FullCommit}}
//	-X github.com/notifier-dev/notifier/internal/cli.date={{.Date}}
//
// Left empty, they come from the module's build info (see resolveBuild).
// They must stay uninitialised string variables: -X sets nothing else.
var (
	version string
	commit  string
	date    string
)

// buildInfo says which notifier this is, for `notifier version` and bug
// reports. The JSON field names are a contract (docs/usage.md).
type buildInfo struct {
	Version string `json:"version"` // v1.2.3, a pseudo-version, or "devel"
	// Commit is the full revision; "" when unknown.
	Commit string `json:"commit"`
	// Modified is true when the working tree had changes the commit lacks.
	Modified bool `json:"modified"`
	// Date is when a release was built, or the commit's time for a build
	// from a checkout (RFC 3339); "" when unknown.
	Date string `json:"date"`
	Go   string `json:"go"`   // the Go toolchain that built the binary
	OS   string `json:"os"`   // GOOS
	Arch string `json:"arch"` // GOARCH
}

// currentBuild describes the running binary.
func currentBuild() buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return resolveBuild(version, commit, date, bi)
}

// resolveBuild prefers what the release set with ldflags and falls back on
// the module's build info: the main module's version, and the vcs.revision,
// vcs.time and vcs.modified settings that `go build` stamps from a checkout
// (absent with -buildvcs=false, with `go run` and in test binaries). bi may
// be nil.
func resolveBuild(ldVersion, ldCommit, ldDate string, bi *debug.BuildInfo) buildInfo {
	b := buildInfo{Version: ldVersion, Commit: ldCommit, Date: ldDate, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi == nil {
		if b.Version == "" {
			b.Version = "devel"
		}
		return b
	}
	if bi.GoVersion != "" {
		b.Go = bi.GoVersion
	}
	if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	if ldCommit != "" {
		// A release: its commit and date are all there is to say.
		return b
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			if b.Date == "" {
				b.Date = s.Value
			}
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// versionString is the version alone, for --version and the User-Agent.
func versionString() string { return currentBuild().Version }

// writeText prints the build for people:
//
//	notifier v1.2.3
//	commit:  0123abcd... (modified)
//	built:   2026-01-02T03:04:05Z
//	go:      go1.26.8 linux/amd64
func (b buildInfo) writeText(w io.Writer) error {
	commit, date := orUnknown(b.Commit), orUnknown(b.Date)
	if b.Modified {
		commit += " (modified)"
	}
	_, err := fmt.Fprintf(w, "notifier %s\ncommit:  %s\nbuilt:   %s\ngo:      %s %s/%s\n", b.Version, commit, date, b.Go, b.OS, b.Arch)
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func newVersionCmd(f *factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version [--json]",
		Short: "Print the version, commit, build date and Go version",
		Long: `Print which notifier this is: its version, the commit it was built from, when
it was built, and the Go version, OS and architecture. Release binaries carry
what the release set; a binary built from a checkout carries what Go recorded
(nothing with -buildvcs=false or go run: "unknown"). 'notifier --version'
prints the first line alone.

With --json, one JSON object: version, commit, modified, date, go, os, arch
(commit and date are "" when unknown).`,
		Example: `  notifier version
  notifier version --json | jq -r .commit`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			b := currentBuild()
			if !asJSON {
				return b.writeText(f.IO.Out)
			}
			out, err := json.Marshal(b)
			if err != nil {
				return err
			}
			_, err = f.IO.Out.Write(append(out, '\n'))
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "Print one JSON object with version, commit, modified, date, go, os and arch.")
	return cmd
}

// Package version tells which build of notifyd is running: the version, commit and date a
// release build stamps in with -ldflags -X (make dist does), else what the Go toolchain
// recorded in the binary (the module version of a go install, the VCS revision and time of
// a build inside a git checkout).
package version

import (
	"cmp"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set by release builds:
//
//	go build -ldflags "-X github.com/notifyd/notifyd/internal/version.version=v1.2.3
//	  -X github.com/notifyd/notifyd/internal/version.commit=abc1234
//	  -X github.com/notifyd/notifyd/internal/version.date=2026-12-07T01:00:00Z"
var version, commit, date string

// Info is one build's identity.
type Info struct {
	Version  string // v1.2.3, or "devel" for a build from a working tree
	Commit   string // the VCS revision, "+dirty" when the tree had changes; "" when unknown
	Date     string // the commit's time (RFC 3339), or the release build's date
	Go       string // the toolchain
	Platform string // GOOS/GOARCH
}

// Get returns the running binary's build information.
func Get() Info {
	i := Info{Version: version, Commit: commit, Date: date, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		i.Version = cmp.Or(i.Version, "devel")
		return i
	}
	if v := bi.Main.Version; i.Version == "" && v != "" && v != "(devel)" {
		i.Version = v
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" && modified {
		rev += "+dirty"
	}
	i.Commit = cmp.Or(i.Commit, rev)
	i.Date = cmp.Or(i.Date, at)
	i.Version = cmp.Or(i.Version, "devel")
	return i
}

// String is the line --version prints, e.g.
// "notifyd v1.2.3 (commit abc1234, 2026-12-07T01:00:00Z; go1.26.8 linux/amd64)".
func (i Info) String(program string) string {
	s := program + " " + i.Version + " ("
	if i.Commit != "" {
		s += "commit " + i.Commit + ", "
	}
	if i.Date != "" {
		s += i.Date + "; "
	}
	return s + fmt.Sprintf("%s %s)", i.Go, i.Platform)
}

// Requested reports whether args ask for the version (-version or --version) before any
// other argument ends the flags.
func Requested(args []string) bool {
	for _, a := range args {
		switch a {
		case "-version", "--version":
			return true
		case "--":
			return false
		}
	}
	return false
}

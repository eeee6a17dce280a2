// Package gobuild builds notifyd's commands as release binaries: static (CGO_ENABLED=0;
// the SQLite driver is pure Go), trimmed paths, the time zone database embedded (an image
// or a minimal host may have no /usr/share/zoneinfo, and notifyd loads Asia/Seoul at
// start).
package gobuild

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Commands are the binaries a release ships.
var Commands = []string{"notifyd", "notifyctl"}

// Build compiles ./cmd/<name> of the repository at root for goos/goarch into dir/<name>.
func Build(ctx context.Context, root, dir, goos, goarch, name string) (string, error) {
	out := filepath.Join(dir, name)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "timetzdata", "-ldflags", "-s -w", "-o", out, "./cmd/"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s for %s/%s: %w\n%s", name, goos, goarch, err, strings.TrimSpace(string(b)))
	}
	return out, nil
}

// Root finds the repository root: the nearest folder above dir whose go.mod is notifyd's.
func Root(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.HasPrefix(string(b), "module github.com/notifyd/notifyd\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no notifyd go.mod above %s", dir)
		}
	}
}

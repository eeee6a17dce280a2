package testenv

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// GoBuild builds the command at pkg (an import path, or a directory relative to the
// test's package) into the test's temporary folder and returns the binary's path, for
// tests that run notifyd or notify-bench as a process of its own.
func GoBuild(t testing.TB, pkg string, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cmd")
	if out, err := exec.Command("go", append(append([]string{"build", "-o", bin}, flags...), pkg)...).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

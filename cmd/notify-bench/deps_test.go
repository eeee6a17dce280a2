package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The load generator is a release binary: it must not link the testing package (nor the
// test-only helpers that do), which would also register test flags in it.
func TestNotifyBenchDoesNotLinkTesting(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipping: no go command in PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "testing" || strings.HasPrefix(pkg, "testing/") || strings.Contains(pkg, "/internal/testenv") {
			t.Errorf("notify-bench links %s", pkg)
		}
	}
}

package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The shipped bench binary does not link the testing package (its flags, its init, its
// size): what it shares with the tests (the in-process goaws) lives outside test helpers.
func TestBinaryDoesNotLinkTesting(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for dep := range strings.FieldsSeq(string(out)) {
		if dep == "testing" || strings.HasPrefix(dep, "testing/") {
			t.Errorf("notify-bench links %s", dep)
		}
	}
}

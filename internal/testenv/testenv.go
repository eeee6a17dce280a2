// Package testenv gives tests the real services they run against (MariaDB, Redis, an
// SQS-compatible server) and one rule for when one is missing: outside CI the test skips
// with a one-line reason; under CI=true it fails, so a green CI always means it ran.
package testenv

import (
	"os"
	"testing"
)

// InCI reports whether the tests run under CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Require stops the test when a service it needs is not there: a failure under CI, a
// skip otherwise.
func Require(t testing.TB, service string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if InCI() {
		t.Fatalf("%s is required under CI=true and is not reachable: %v", service, err)
	}
	t.Skipf("skipping: %s not reachable: %v", service, err)
}

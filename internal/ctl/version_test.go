package ctl_test

import (
	"strings"
	"testing"
)

// notifyctl --version and -version print one version line on stdout and exit 0, without
// calling the server.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "-version"} {
		r := newCtl(t, "http://127.0.0.1:1").ok(arg)
		if !strings.HasPrefix(r.stdout, "notifyctl ") || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, "go1.") {
			t.Errorf("notifyctl %s printed %q", arg, r.stdout)
		}
	}
}

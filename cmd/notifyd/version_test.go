package main

import (
	"os/exec"
	"regexp"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv"
)

// notifyd --version and -version print one version line and exit 0, before reading any
// setting (a bad NOTIFY_* variable does not stop it); a release build prints what
// -ldflags -X stamped in, as make dist does.
func TestVersionFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds notifyd")
	}
	const pkg = "github.com/notifyd/notifyd/internal/version"
	bin := testenv.GoBuild(t, ".", "-ldflags", "-X "+pkg+".version=v9.8.7 -X "+pkg+".commit=abc1234 -X "+pkg+".date=2026-12-07T00:00:00Z")
	want := regexp.MustCompile(`^notifyd v9\.8\.7 \(commit abc1234, 2026-12-07T00:00:00Z; go[0-9.]+\S* [a-z0-9]+/[a-z0-9]+\)\n$`)
	for _, arg := range []string{"--version", "-version"} {
		cmd := exec.Command(bin, arg)
		cmd.Env = append(cmd.Environ(), "NOTIFY_LOG_LEVEL=verbose")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("notifyd %s: %v", arg, err)
		}
		if !want.Match(out) {
			t.Errorf("notifyd %s printed %q, want a line like %s", arg, out, want)
		}
	}
}

package version

import (
	"strings"
	"testing"
)

// Without -ldflags a test binary still names a version, the toolchain and the platform;
// -version is found among the flags but not after "--".
func TestGetAndRequested(t *testing.T) {
	line := Get().String("notifyd")
	if !strings.HasPrefix(line, "notifyd ") || !strings.Contains(line, "go1.") || strings.Contains(line, "  ") {
		t.Errorf("version line %q", line)
	}
	for args, want := range map[string]bool{"--version": true, "-auth jwt -version": true, "-- --version": false, "-h": false} {
		if got := Requested(strings.Fields(args)); got != want {
			t.Errorf("Requested(%q) = %v, want %v", args, got, want)
		}
	}
}

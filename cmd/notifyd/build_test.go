package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The release build has no fault switch: a plain go build of notifyd does not contain the
// name of the variable that arms it, and a faultinject build (the fault suite's) does, so
// the check would see a switch that slipped into the release build.
func TestReleaseBinaryHasNoFaultSwitch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds notifyd twice")
	}
	dir := t.TempDir()
	for _, c := range []struct {
		tags string
		want bool
	}{{"", false}, {"faultinject", true}} {
		bin := filepath.Join(dir, "notifyd"+c.tags)
		args := []string{"build", "-o", bin}
		if c.tags != "" {
			args = append(args, "-tags", c.tags)
		}
		if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
			t.Fatalf("go build -tags=%q: %v\n%s", c.tags, err, out)
		}
		b, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(b, []byte("NOTIFY_FAULT")); got != c.want {
			t.Errorf("go build -tags=%q: binary contains NOTIFY_FAULT = %v, want %v", c.tags, got, c.want)
		}
	}
}

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv"
)

// The release build has no fault switch: a plain go build of notifyd does not contain the
// name of the variable that arms it. (The control: with the faultinject tag, the fault
// package compiles a file that reads that variable, so a switch that slipped into the
// release build would show up here. The fault suite runs such a build.)
func TestReleaseBinaryHasNoFaultSwitch(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds notifyd")
	}
	const name = "NOTIFY_FAULT"
	out, err := exec.Command("go", "list", "-tags", "faultinject", "-f", "{{.Dir}} {{join .GoFiles \" \"}}", "github.com/notifyd/notifyd/internal/fault").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	fields := strings.Fields(string(out))
	armed := false
	for _, f := range fields[1:] {
		b, err := os.ReadFile(filepath.Join(fields[0], f))
		if err != nil {
			t.Fatal(err)
		}
		armed = armed || bytes.Contains(b, []byte(`"`+name+`"`))
	}
	if !armed {
		t.Fatalf("the faultinject build of internal/fault names no %s: the check below would prove nothing", name)
	}

	bin := testenv.GoBuild(t, ".")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(name)) {
		t.Errorf("the release binary contains %s: the fault switch is linked in", name)
	}
}

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv"
)

// notifydBin is the notifyd binary the tests run, built once by TestMain.
var notifydBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "notifyd-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	notifydBin = filepath.Join(dir, "notifyd")
	build := exec.Command("go", "build", "-o", notifydBin, "github.com/notifyd/notifyd/cmd/notifyd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building notifyd:", err)
		return 1
	}
	defer testenv.StopGoAWS()
	return m.Run()
}

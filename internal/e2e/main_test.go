package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv/apicheck"
	"github.com/notifyd/notifyd/internal/testenv/goawstest"
)

// binDir holds the notifyd binary the tests run; TestMain makes and removes it.
var binDir string

var build struct {
	once sync.Once
	path string
	err  error
}

// notifyd returns the notifyd binary, built on first use (once per test binary, so a
// run that selects no test, such as a benchmark smoke run, builds nothing).
func notifyd(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		path := filepath.Join(binDir, "notifyd")
		args := []string{"build", "-tags", "faultinject", "-o", path} // with the kill switch
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, "github.com/notifyd/notifyd/cmd/notifyd")...).CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build -tags faultinject ./cmd/notifyd: %v\n%s", err, out)
			return
		}
		build.path = path
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

func TestMain(m *testing.M) {
	apicheck.Install() // every exchange with a notifyd the harness starts is checked against docs/openapi.yaml
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if binDir, err = os.MkdirTemp("", "notifyd-e2e-"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(binDir)
	defer goawstest.StopGoAWS()
	return m.Run()
}

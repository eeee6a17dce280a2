package web_test

import (
	"os"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv/apicheck"
)

func TestMain(m *testing.M) {
	// Every exchange the tests' Go clients have with a server apptest starts is checked
	// against docs/openapi.yaml (the browser's own requests are not: they do not pass
	// through this process's transport).
	apicheck.Install()
	os.Exit(m.Run())
}

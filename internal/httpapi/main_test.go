package httpapi_test

import (
	"os"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv/apicheck"
)

func TestMain(m *testing.M) {
	apicheck.Install() // every exchange with a server apptest starts is checked against docs/openapi.yaml
	os.Exit(m.Run())
}

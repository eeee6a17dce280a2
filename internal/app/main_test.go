package app_test

import (
	"os"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv/apicheck"
	"github.com/notifyd/notifyd/internal/testenv/goawstest"
)

func TestMain(m *testing.M) {
	apicheck.Install() // every exchange with a server apptest starts is checked against docs/openapi.yaml
	code := m.Run()
	goawstest.StopGoAWS() // goaws runs in process and its state is global
	os.Exit(code)
}

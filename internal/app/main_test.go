package app_test

import (
	"os"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv/goawstest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	goawstest.StopGoAWS() // goaws runs in process and its state is global
	os.Exit(code)
}

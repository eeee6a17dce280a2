package sqs

import (
	"os"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv/goawstest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	goawstest.StopGoAWS()
	os.Exit(code)
}

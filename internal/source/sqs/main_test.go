package sqs

import (
	"os"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopGoAWS()
	os.Exit(code)
}

package sqlite_test

import (
	"testing"

	"github.com/notifyd/notifyd/internal/store/storetest"
)

// BenchmarkConsole times a page of the console's activity feed under each filter over
// storetest.ConsoleBenchRows() events (storetest.BenchConsole).
func BenchmarkConsole(b *testing.B) {
	storetest.BenchConsole(b, seeded(b, storetest.SeedConsole, "ANALYZE"))
}

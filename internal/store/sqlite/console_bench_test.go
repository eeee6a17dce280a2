package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

// BenchmarkConsole times a page of the console's activity feed under each filter over
// storetest.ConsoleBenchRows() events (storetest.BenchConsole).
func BenchmarkConsole(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "console.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	if err := storetest.SeedConsole(ctx, db); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	db.Close()
	b.ResetTimer()
	storetest.BenchConsole(b, st)
}

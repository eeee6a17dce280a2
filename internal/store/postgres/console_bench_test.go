package postgres_test

import (
	"context"
	"testing"

	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// BenchmarkConsole times a page of the console's activity feed under each filter over
// storetest.ConsoleBenchRows() events (storetest.BenchConsole).
func BenchmarkConsole(b *testing.B) {
	ctx := context.Background()
	url := testenv.PostgresURL(b)
	db, err := postgres.OpenAt(ctx, url, 1<<30)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := storetest.SeedConsole(ctx, db); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}
	st, err := postgres.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.ResetTimer()
	storetest.BenchConsole(b, st)
}

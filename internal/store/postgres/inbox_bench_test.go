package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// BenchmarkInbox times the inbox list of a user with 100,000 notifications
// (storetest.BenchInbox). ns/op is one page.
func BenchmarkInbox(b *testing.B) {
	storetest.BenchInbox(b, seeded(b, storetest.SeedInbox, "VACUUM ANALYZE notifications"))
}

// seeded fills a fresh database with seed through the store's own connector (placeholders
// rebound, migrated to the end), runs after and returns a store on it, closed when the
// benchmark ends. Autovacuum keeps a live table's visibility map set, which index-only
// counts need; a freshly seeded one gets it from a VACUUM in after.
func seeded(b *testing.B, seed func(context.Context, *sql.DB) error, after ...string) store.Store {
	b.Helper()
	ctx := context.Background()
	url := testenv.PostgresURL(b)
	db, err := postgres.OpenAt(ctx, url, 1<<30)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := seed(ctx, db); err != nil {
		b.Fatal(err)
	}
	for _, q := range after {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	st, err := postgres.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	b.ResetTimer()
	return st
}

package postgres_test

import (
	"context"
	"testing"

	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// BenchmarkInbox times the inbox list of a user with 100,000 notifications
// (storetest.BenchInbox). ns/op is one page.
func BenchmarkInbox(b *testing.B) {
	ctx := context.Background()
	url := testenv.PostgresURL(b)
	// Seeded through the store's own connector (placeholders rebound), migrated to the end.
	// Autovacuum keeps a live table's visibility map set, which index-only counts need; a
	// freshly seeded one gets it from the VACUUM below.
	db, err := postgres.OpenAt(ctx, url, 1<<30)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := storetest.SeedInbox(ctx, db); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "VACUUM ANALYZE notifications"); err != nil {
		b.Fatal(err)
	}
	st, err := postgres.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.ResetTimer()
	storetest.BenchInbox(b, st)
}

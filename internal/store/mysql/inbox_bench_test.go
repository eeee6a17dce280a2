package mysql_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// BenchmarkInbox times the inbox list of a user with 100,000 notifications
// (storetest.BenchInbox). ns/op is one page.
func BenchmarkInbox(b *testing.B) {
	storetest.BenchInbox(b, seeded(b, storetest.SeedInbox))
}

// seeded opens a fresh store, fills it with seed through a connection of its own, runs
// after (ANALYZE TABLE) and returns the store, closed when the benchmark ends.
func seeded(b *testing.B, seed func(context.Context, *sql.DB) error, after ...string) store.Store {
	b.Helper()
	ctx := context.Background()
	url := testenv.MySQLURL(b)
	st, err := mysql.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cfg, _, err := mysql.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("mysql", cfg.FormatDSN())
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
	b.ResetTimer()
	return st
}

package mysql_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// BenchmarkInbox times the inbox list of a user with 100,000 notifications
// (storetest.BenchInbox). ns/op is one page.
func BenchmarkInbox(b *testing.B) {
	ctx := context.Background()
	url := testenv.MySQLURL(b)
	st, err := mysql.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	cfg, _, err := mysql.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := storetest.SeedInbox(ctx, db); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	storetest.BenchInbox(b, st)
}

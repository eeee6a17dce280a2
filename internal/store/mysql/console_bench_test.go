package mysql_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// BenchmarkConsole times a page of the console's activity feed under each filter over
// storetest.ConsoleBenchRows() events (storetest.BenchConsole).
func BenchmarkConsole(b *testing.B) {
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
	if err := storetest.SeedConsole(ctx, db); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE TABLE events, notifications, deliveries"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	storetest.BenchConsole(b, st)
}

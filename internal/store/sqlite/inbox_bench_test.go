package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

// BenchmarkInbox times the inbox list of a user with 100,000 notifications
// (storetest.BenchInbox). ns/op is one page.
func BenchmarkInbox(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "inbox.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	if err := storetest.SeedInbox(ctx, db); err != nil {
		b.Fatal(err)
	}
	db.Close()
	b.ResetTimer()
	storetest.BenchInbox(b, st)
}

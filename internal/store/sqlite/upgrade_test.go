package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

// A SQLite file written by round one (schema version 1) opens through the store, migrates
// and loses nothing.
func TestUpgradeFromRoundOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "round1.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlite.MigrateTo(context.Background(), db, 1); err != nil {
		t.Fatal(err)
	}
	storetest.WriteRoundOne(t, db)
	db.Close()

	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open a round-one file: %v", err)
	}
	defer s.Close()
	storetest.CheckRoundOne(t, s)
}

package postgres_test

import (
	"context"
	"testing"

	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// A PostgreSQL database at schema version 1 with round-one rows opens through the store,
// migrates and loses nothing: the later migrations are tested on data, as on SQLite and
// MariaDB.
func TestUpgradeFromRoundOne(t *testing.T) {
	url := testenv.PostgresURL(t)
	db, err := postgres.OpenAt(context.Background(), url, 1)
	if err != nil {
		t.Fatal(err)
	}
	storetest.WriteRoundOne(t, db)
	// The rows came with their ids, as in an import: move the id sequences past them.
	for _, table := range []string{"events", "notifications", "deliveries", "rejected_messages"} {
		if _, err := db.Exec(`SELECT setval(pg_get_serial_sequence('` + table + `', 'id'), (SELECT max(id) FROM ` + table + `))`); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open a version-1 database: %v", err)
	}
	defer s.Close()
	storetest.CheckRoundOne(t, s)
}

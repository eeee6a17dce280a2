package mysql_test

import (
	"context"
	"testing"

	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// A MariaDB database written by round one (schema version 1) opens through the store,
// migrates and loses nothing.
func TestUpgradeFromRoundOne(t *testing.T) {
	url := testenv.MySQLURL(t)
	db, err := mysql.OpenAt(context.Background(), url, 1)
	if err != nil {
		t.Fatal(err)
	}
	storetest.WriteRoundOne(t, db)
	db.Close()

	s, err := mysql.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open a round-one database: %v", err)
	}
	defer s.Close()
	storetest.CheckRoundOne(t, s)
}

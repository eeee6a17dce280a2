package mysql_test

import (
	"context"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// open opens a store on a fresh database of its own.
func open(t *testing.T) store.Store {
	t.Helper()
	s, err := mysql.Open(context.Background(), testenv.MySQLURL(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, open)
}

// TestStorePair runs the two-replica cases on two stores over one database.
func TestStorePair(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T) (store.Store, store.Store) {
		url := testenv.MySQLURL(t)
		a, err := mysql.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		b, err := mysql.Open(context.Background(), url)
		if err != nil {
			a.Close()
			t.Fatal(err)
		}
		return a, b
	})
}

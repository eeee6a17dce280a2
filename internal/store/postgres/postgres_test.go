package postgres_test

import (
	"context"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// open opens a store on a fresh database of its own.
func open(t *testing.T) store.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, open)
}

// TestOpenTwiceMigratesOnce: a second replica opening a migrated database finds nothing
// to do and serves the same data.
func TestOpenTwiceMigratesOnce(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	a, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Accept(ctx, []store.AcceptInput{storetest.Input("k1", "u1")}); err != nil {
		t.Fatal(err)
	}
	b, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := b.NotificationsAfter(ctx, "u1", 0, 10)
	if err != nil || len(got) != 1 || got[0].EventID != "k1" {
		t.Fatalf("second replica sees %+v (%v), want the one notification of k1", got, err)
	}
}

// TestStorePair runs the two-replica cases on two stores over one database.
func TestStorePair(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T) (store.Store, store.Store) {
		url := testenv.PostgresURL(t)
		a, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		b, err := postgres.Open(context.Background(), url)
		if err != nil {
			a.Close()
			t.Fatal(err)
		}
		return a, b
	})
}

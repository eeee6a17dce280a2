package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// Every session of the store's database is terminated (pg_terminate_backend, as a
// failover or an operator would) a moment after the pool's connections were used: the
// next reads still succeed: a query on a connection the server closed fails to be sent,
// which pgx reports to database/sql as a bad connection, and database/sql retries it on
// a new one. (A query sent while the server is still ending the session fails with
// "terminating connection"; that window is what the SSE resync's retry covers.)
func TestPoolDropsTerminatedConnections(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Accept(ctx, []store.AcceptInput{storetest.Input("k1", "u1")}); err != nil {
		t.Fatal(err)
	}
	// Fill the pool with several connections, all used just now.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := s.LastSeqs(ctx, []string{"u1"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var killed []int32
	rows, err := admin.Query(ctx, `WITH s AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid())
		SELECT pid FROM s WHERE pg_terminate_backend(pid)`)
	if err == nil {
		killed, err = pgx.CollectRows(rows, pgx.RowTo[int32])
	}
	if err != nil || len(killed) == 0 {
		t.Fatalf("terminated %v: %v", killed, err)
	}
	// Wait until the server has ended them all (a condition, not a duration).
	deadline := time.Now().Add(30 * time.Second)
	for {
		var left int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)`, killed).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d terminated sessions still there after 30s", left)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := range 8 {
		seqs, err := s.LastSeqs(ctx, []string{"u1"})
		if err != nil || seqs["u1"] != 1 {
			t.Fatalf("read %d after the terminations: %v, %v", i, seqs, err)
		}
	}
}

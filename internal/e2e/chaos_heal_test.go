package e2e

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/notifyd/notifyd/internal/testenv"
)

// Two replicas on PostgreSQL alone, 30 open streams, and the server terminates every
// connection of the database (pg_terminate_backend: the replicas' pools, listeners and
// publishers at once). Then one event per user goes to the replica that does not hold the
// user's stream: every stream gets its notification live, within a deadline shorter than
// the hubs' one-minute safety-net resync. Before, a resync that failed on a dead pooled
// connection was not tried again and a publish that failed on a dead connection was
// dropped, and 2 of 30 streams missed their notification until the client reconnected.
func TestChaosPostgresConnectionsTerminated(t *testing.T) {
	t.Parallel()
	const users = 30
	dbURL := testenv.PostgresURL(t)
	env := concat([]string{"NOTIFY_DATABASE_URL=" + dbURL}, smsEnv(newProvider(t)), []string{replicaLease})
	replicas := []*proc{startNotifyd(t, "replica-a", env...), startNotifyd(t, "replica-b", env...)}

	followers := make([]*follower, users+1)
	for u := 1; u <= users; u++ { // user u's stream is on replica u%2
		followers[u] = follow(t, replicas[u%2], strconv.Itoa(u), 1)
	}
	if n := terminateAll(t, dbURL); n < 4 {
		t.Fatalf("terminated %d sessions, want at least both replicas' listeners and pools", n)
	}
	for _, r := range replicas {
		r.waitReady() // the listeners are back (readiness checks them)
	}
	want := make([]map[string]bool, users+1)
	for u := 1; u <= users; u++ {
		id := fmt.Sprintf("pg-heal-%02d", u)
		want[u] = map[string]bool{id: true}
		if status, _ := postEvent(t, replicas[(u+1)%2], event(id, strconv.Itoa(u))); status != 202 {
			t.Fatalf("POST event for user %d: %d", u, status)
		}
	}
	deadline := time.Now().Add(45 * time.Second) // under the one-minute resync that would hide the bug
	for u := 1; u <= users; u++ {
		followers[u].wait(t, want[u], time.Until(deadline))
	}
}

// terminateAll ends every other session of url's database and returns how many.
func terminateAll(t *testing.T, url string) int {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var n int
	// MATERIALIZED: the filter on our own pid runs before any termination.
	err = admin.QueryRow(ctx, `WITH s AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid())
		SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM s`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

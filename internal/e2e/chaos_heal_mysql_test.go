package e2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/testenv"
)

// The many-replica production shape, MariaDB for the store and Redis for the fan-out: two
// replicas, 30 open streams, and the server KILLs every connection of the test's
// database (the replicas' pools at once, as a failover or an operator would). Then one
// event per user goes to the replica that does not hold the user's stream: every POST is
// accepted (a killed pooled connection is dropped before it is used, not handed to the
// event's transaction) and every stream gets its notification live, once, with gap-free
// ids, within a deadline shorter than the hubs' one-minute safety-net resync.
func TestChaosMariaDBConnectionsKilled(t *testing.T) {
	t.Parallel()
	const users = 30
	dbURL := testenv.MySQLURL(t)
	redis := testenv.StartRedis(t)
	env := concat([]string{"NOTIFY_DATABASE_URL=" + dbURL, "NOTIFY_REDIS_URL=" + redis.URL}, smsEnv(newProvider(t)), []string{replicaLease})
	replicas := []*proc{startNotifyd(t, "replica-a", env...), startNotifyd(t, "replica-b", env...)}

	followers := make([]*follower, users+1)
	for u := 1; u <= users; u++ { // user u's stream is on replica u%2
		followers[u] = follow(t, replicas[u%2], strconv.Itoa(u), 1)
	}
	if n := killAllMySQL(t, dbURL); n < 2 {
		t.Fatalf("killed %d connections, want at least one of each replica's pool", n)
	}
	want := make([]map[string]bool, users+1)
	for u := 1; u <= users; u++ {
		id := fmt.Sprintf("my-heal-%02d", u)
		want[u] = map[string]bool{id: true}
		if status, _ := postEvent(t, replicas[(u+1)%2], event(id, strconv.Itoa(u))); status != 202 {
			t.Fatalf("POST event for user %d after the kill: %d", u, status)
		}
	}
	deadline := time.Now().Add(45 * time.Second) // under the one-minute resync that would hide a loss
	for u := 1; u <= users; u++ {
		followers[u].wait(t, want[u], time.Until(deadline))
	}
}

// killAllMySQL KILLs every other connection that the URL's user has open on the URL's
// database, waits until the server has ended them all, and returns how many there were.
// Other tests' connections (other databases) are left alone.
func killAllMySQL(t *testing.T, url string) int {
	t.Helper()
	cfg, _, err := mysql.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	admin := sql.OpenDB(conn)
	defer admin.Close()
	admin.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := admin.QueryContext(ctx, `SELECT id FROM information_schema.processlist
		WHERE db = DATABASE() AND user = SUBSTRING_INDEX(USER(), '@', 1) AND id <> CONNECTION_ID()`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		// A connection may end by itself between the list and its KILL: "Unknown thread id".
		if _, err := admin.ExecContext(ctx, "KILL CONNECTION "+strconv.FormatInt(id, 10)); err != nil && !isUnknownThread(err) {
			t.Fatalf("KILL %d: %v", id, err)
		}
	}
	if len(ids) == 0 {
		return 0
	}
	// A KILL may return before its session is gone: wait for the condition.
	list := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(ids)), ","), "[]")
	for {
		var left int
		if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.processlist WHERE id IN (`+list+`)`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d killed connections still there after 30s", left)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return len(ids)
}

func isUnknownThread(err error) bool {
	var me *gomysql.MySQLError
	return errors.As(err, &me) && me.Number == 1094
}

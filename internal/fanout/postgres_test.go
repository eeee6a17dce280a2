package fanout

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// pgReplica is one replica's fan-out on url, reading referenced notifications from st.
func pgReplica(t *testing.T, url string, hub Hub, st Loader) *Postgres {
	t.Helper()
	p, err := NewPostgres(url, hub, st, PostgresOptions{MaxBackoff: 100 * time.Millisecond, HealthInterval: time.Second, PublishTimeout: 10 * time.Second, Metrics: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// pgPair is two replicas A and B on url, both listening, and their hubs.
func pgPair(t *testing.T, url string) (a, b *Postgres, ha, hb *fakeHub) {
	t.Helper()
	st := pgStore(t, url)
	ha, hb = newFakeHub(), newFakeHub()
	a, b = pgReplica(t, url, ha, st), pgReplica(t, url, hb, st)
	ha.waitFor(t, "A listening", resynced(1))
	hb.waitFor(t, "B listening", resynced(1))
	if err := b.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, b, ha, hb
}

func pgStore(t *testing.T, url string) store.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestPostgresCrossReplica: two replicas on one database. What A publishes reaches B's
// hub in order and once, and A's own hub exactly once (locally, not again via NOTIFY).
func TestPostgresCrossReplica(t *testing.T) {
	a, b, ha, hb := pgPair(t, testenv.PostgresURL(t))

	want := map[string]int64{}
	total := 0
	for batch := range 40 {
		var ns []notify.Notification
		for u := range 5 {
			user := fmt.Sprintf("user-%d", u)
			k := int64(1 + (batch+u)%3)
			ns = append(ns, notes(user, want[user]+1, want[user]+k)...)
			want[user] += k
		}
		total += len(ns)
		a.Publish(context.Background(), ns)
	}
	hb.waitFor(t, "B received everything", count(total))
	gotB, _ := hb.snapshot()
	checkStreams(t, "B", gotB, want)
	gotA, _ := ha.snapshot()
	checkStreams(t, "A", gotA, want)
	if len(gotB) != total || len(gotA) != total {
		t.Fatalf("A has %d, B has %d, want %d each", len(gotA), len(gotB), total)
	}
	a.Close()
	if p := value(t, a.m.published); p != float64(total) {
		t.Fatalf("A published %v, want %d", p, total)
	}
	if r := value(t, b.m.received); r != float64(total) {
		t.Fatalf("B received %v, want %d", r, total)
	}
}

// TestPostgresListenerTerminated: the server ends B's listening session
// (pg_terminate_backend, as a failover or an operator would). B reconnects, resyncs its
// streams from the store, and live pushes flow again.
func TestPostgresListenerTerminated(t *testing.T) {
	url := testenv.PostgresURL(t)
	st := pgStore(t, url)
	ha, hb := newFakeHub(), newFakeHub()
	a := pgReplica(t, url, ha, st)
	b := pgReplica(t, url, hb, st)
	hb.waitFor(t, "B listening", resynced(1))
	ha.waitFor(t, "A listening", resynced(1))
	a.Publish(context.Background(), notes("u", 1, 3))
	hb.waitFor(t, "B got 1..3", count(3))

	pid := b.listenerPID()
	if pid == 0 {
		t.Fatal("B has no listener")
	}
	admin, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var ok bool
	if err := admin.QueryRow(context.Background(), `SELECT pg_terminate_backend($1)`, int64(pid)).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_terminate_backend(%d) = %v, %v", pid, ok, err)
	}
	hb.waitFor(t, "B resynced after the drop", resynced(2))
	if n := value(t, b.m.reconnects); n != 1 {
		t.Fatalf("B counted %v reconnects, want 1", n)
	}
	if b.listenerPID() == pid {
		t.Fatal("B still reports the terminated session")
	}
	a.Publish(context.Background(), notes("u", 4, 5))
	hb.waitFor(t, "B got 4..5", count(5))
	got, _ := hb.snapshot()
	checkStreams(t, "B", got, map[string]int64{"u": 5})
}

// TestPostgresOutageResyncs cuts B off the server (a proxy between them refuses and
// drops connections): B is not ready, misses what A publishes meanwhile, and resyncs
// from the store once it can reconnect.
func TestPostgresOutageResyncs(t *testing.T) {
	dbURL := testenv.PostgresURL(t)
	st := pgStore(t, dbURL)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.StartProxy(t, u.Host)
	u.Host = proxy.Addr()
	ha, hb := newFakeHub(), newFakeHub()
	a := pgReplica(t, dbURL, ha, st)
	b := pgReplica(t, u.String(), hb, st)
	hb.waitFor(t, "B listening", resynced(1))
	ha.waitFor(t, "A listening", resynced(1))
	a.Publish(context.Background(), notes("u", 1, 5))
	hb.waitFor(t, "B got 1..5", count(5))

	proxy.Down()
	deadline := time.Now().Add(10 * time.Second)
	for b.Ping(context.Background()) == nil {
		if time.Now().After(deadline) {
			t.Fatal("B still ready 10s after losing the server")
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.Publish(context.Background(), notes("u", 6, 8)) // lost for B
	ha.waitFor(t, "A delivered 6..8 locally", count(8))
	proxy.Up()
	hb.waitFor(t, "B resynced after the outage", resynced(2))
	if err := b.Ping(context.Background()); err != nil {
		t.Fatalf("B not ready after resync: %v", err)
	}
	a.Publish(context.Background(), notes("u", 9, 10))
	hb.waitFor(t, "B got 9..10", count(7))
	got, _ := hb.snapshot()
	var seqs []int64
	for _, n := range got {
		seqs = append(seqs, n.Seq)
	}
	if fmt.Sprint(seqs) != "[1 2 3 4 5 9 10]" {
		t.Fatalf("B got seqs %v, want [1 2 3 4 5 9 10] (6..8 come from the store on resync)", seqs)
	}
}

// TestPostgresOversizedViaStore: a notification too big for a NOTIFY payload reaches the
// other replica whole, read from the store by reference; small ones of the same batch
// arrive inline, in order.
func TestPostgresOversizedViaStore(t *testing.T) {
	url := testenv.PostgresURL(t)
	st := pgStore(t, url)
	in := []store.AcceptInput{storetest.Input("small-1", "big"), storetest.Input("huge", "big"), storetest.Input("small-2", "big")}
	huge := strings.Repeat("알림", 2000) // 12,000 bytes
	in[1].Prepared.Event.Message = huge
	res, err := st.Accept(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var ns []notify.Notification
	for _, r := range res {
		ns = append(ns, r.Notifications...)
	}
	ha, hb := newFakeHub(), newFakeHub()
	a := pgReplica(t, url, ha, st)
	pgReplica(t, url, hb, st)
	hb.waitFor(t, "B listening", resynced(1))
	ha.waitFor(t, "A listening", resynced(1))
	a.Publish(context.Background(), ns)
	hb.waitFor(t, "B got all three", count(3))
	got, _ := hb.snapshot()
	checkStreams(t, "B", got, map[string]int64{"big": 3})
	if got[1].Message != huge || got[1].EventID != "huge" {
		t.Fatalf("B got %q… (%d bytes) for seq 2, want the whole message", got[1].Message[:12], len(got[1].Message))
	}
	a.Close()
	if n := value(t, a.m.referenced); n != 1 {
		t.Fatalf("A sent %v references, want 1", n)
	}
}

// TestPostgresCloseUsers: an erasure on A closes the user's streams on A and on B.
func TestPostgresCloseUsers(t *testing.T) {
	url := testenv.PostgresURL(t)
	st := pgStore(t, url)
	ha, hb := newFakeHub(), newFakeHub()
	a := pgReplica(t, url, ha, st)
	pgReplica(t, url, hb, st)
	ha.waitFor(t, "A listening", resynced(1))
	hb.waitFor(t, "B listening", resynced(1))
	if err := a.CloseUsers(context.Background(), []string{"gone", "also-gone"}); err != nil {
		t.Fatal(err)
	}
	hb.waitFor(t, "B closed both users", func([]notify.Notification, int) bool { return len(hb.closedUsers()) == 2 })
	if got := ha.closedUsers(); len(got) != 2 {
		t.Fatalf("A closed %v locally, want both users once", got)
	}
	if got, _ := hb.snapshot(); len(got) != 0 {
		t.Fatalf("B was delivered %+v", got)
	}
}

// TestPostgresPublisherTerminated: the server ends A's publishing session while both
// listeners stay up, so no resync is coming. A's next publish fails on the dead
// connection and is sent again on a new one: B gets every notification. Before, the batch
// was dropped and B's streams silently lacked it until something else resynced them.
func TestPostgresPublisherTerminated(t *testing.T) {
	url := testenv.PostgresURL(t)
	a, b, _, hb := pgPair(t, url)
	a.Publish(context.Background(), notes("u", 1, 2))
	hb.waitFor(t, "B got 1..2", count(2))

	if n := terminate(t, url, "notifyd-fanout-publish"); n != 1 {
		t.Fatalf("terminated %d publishing sessions, want A's one", n)
	}
	a.Publish(context.Background(), notes("u", 3, 4))
	hb.waitFor(t, "B got 3..4", count(4))
	got, resyncs := hb.snapshot()
	checkStreams(t, "B", got, map[string]int64{"u": 4})
	if resyncs != 1 || value(t, b.m.reconnects) != 0 {
		t.Fatalf("B resynced %d times, reconnected %v: want its listener untouched", resyncs, value(t, b.m.reconnects))
	}
}

// terminate ends every session of url's database named app (pg_terminate_backend), as
// a failover or an operator would, and returns how many it ended.
func terminate(t *testing.T, url, app string) int {
	t.Helper()
	admin, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var n int
	err = admin.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`, app).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

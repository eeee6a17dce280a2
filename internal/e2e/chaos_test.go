package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/testenv"
)

// The chaos suite: one dependency down at a time while notifyd works under a steady load,
// on each store where that outage means something. Every case on every store is a
// subtest of its own that shares nothing with the others (own notifyd, database, Redis,
// queue and gateway), and they run in parallel. See chaos_harness_test.go for the shape
// and docs/faults.md for the cases.

// chaosDeployment is a store a chaos case runs on, with the live fan-out that goes with
// it and the number of replicas sharing them.
type chaosDeployment struct {
	name     string
	replicas int
	// full: the case keeps its full outage (20–30 s). The deployments added after the
	// suite began on MariaDB take chaosShortOutage instead, which is enough for every
	// "the outage hit" check and keeps the package's wall time in bounds (-parallel is
	// the core count, 2 here, so cases mostly run one after another).
	full bool
	env  func(t *testing.T) []string
}

const chaosShortOutage = 10 * time.Second

// outage is how long the case's dependency stays down on d: full on the full-length
// deployment, chaosShortOutage elsewhere.
func (d chaosDeployment) outage(full time.Duration) time.Duration {
	if d.full {
		return full
	}
	return chaosShortOutage
}

// chaosDeployments are where the SQS and SMS outages run:
//   - sqlite: one process (an SQLite file belongs to one process), no Redis: the local
//     fan-out;
//   - mariadb: one replica with a private Redis, as the suite began;
//   - postgres: two replicas on PostgreSQL alone (NOTIFY_FANOUT=postgres), so the outage
//     also runs through LISTEN/NOTIFY between them.
var chaosDeployments = []chaosDeployment{
	{"sqlite", 1, false, sqliteEnv},
	{"mariadb", 1, true, func(t *testing.T) []string {
		return []string{"NOTIFY_DATABASE_URL=" + testenv.MySQLURL(t), "NOTIFY_REDIS_URL=" + testenv.StartRedis(t).URL}
	}},
	{"postgres", 2, false, func(t *testing.T) []string {
		return []string{"NOTIFY_DATABASE_URL=" + testenv.PostgresURL(t), "NOTIFY_FANOUT=postgres"}
	}},
}

// The store restarted mid-load. MariaDB and PostgreSQL: a private server shared by two
// replicas, killed as a crash would and started again on the same port and data. SQLite
// has no server: the store lives in the notifyd process, so the process is what is killed
// and started again, on the same file and address.
func TestChaosStoreRestart(t *testing.T) {
	t.Parallel()
	t.Run("mariadb", func(t *testing.T) {
		t.Parallel()
		chaosMariaDBRestart(t)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		chaosPostgresRestart(t)
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		chaosSQLiteKill(t)
	})
}

// MariaDB, a private instance shared by two replicas (fan-out through a private Redis),
// killed with SIGKILL mid-load and started again on the same port and data directory
// (InnoDB crash recovery).
func chaosMariaDBRestart(t *testing.T) {
	db := testenv.StartMariaDB(t)
	q := newQueue(t, 3*time.Second)
	redis := testenv.StartRedis(t)
	c := startChaos(t, "db-mariadb", 2, q, concat([]string{"NOTIFY_DATABASE_URL=" + db.URL, "NOTIFY_REDIS_URL=" + redis.URL}, q.env)...)

	db.Kill()
	c.awaitNamed(false, "store")
	time.Sleep(3 * time.Second) // down a while longer under load
	db.Restart()
	c.awaitRecovered()
	c.finish()
	if n := c.load.retryCounts()["http 503"]; n == 0 {
		t.Error("no POST was answered 503: the outage did not hit ingest")
	}
}

// PostgreSQL, a private server shared by two replicas and nothing else (live pushes over
// LISTEN/NOTIFY on the same server), stopped in immediate mode (a crash: the next start
// recovers from the WAL) mid-load and started again: the store and the fan-out's listener
// go down together and both come back by themselves.
func chaosPostgresRestart(t *testing.T) {
	pg := testenv.StartPostgres(t)
	dbURL := testenv.CreatePostgresDB(t, pg.URL)
	q := newQueue(t, 3*time.Second)
	c := startChaos(t, "db-postgres", 2, q, concat([]string{"NOTIFY_DATABASE_URL=" + dbURL, "NOTIFY_FANOUT=postgres"}, q.env)...)

	pg.Stop("immediate")
	c.awaitNamed(false, "store", "fanout")
	time.Sleep(3 * time.Second) // down a while longer under load
	if err := pg.Start(); err != nil {
		t.Fatalf("postgres restart: %v", err)
	}
	c.awaitRecovered()
	c.finish()
	if n := c.load.retryCounts()["http 503"]; n == 0 {
		t.Error("no POST was answered 503: the outage did not hit ingest")
	}
	for _, p := range c.procs {
		if n := metric(t, p, "notifyd_fanout_reconnects_total"); n < 1 {
			t.Errorf("%s: the fan-out listener reconnected %v times, want at least once", p.name, n)
		}
	}
}

// SQLite: the one notifyd process SIGKILLed mid-load (in-flight POSTs unanswered, an SQS
// batch perhaps received and not deleted, a send perhaps unrecorded), down 3 s while the
// producers retry, and started again on the same file and address. The fault suite kills
// at chosen points with a few events and no traffic; this is the same kill with the load
// and the streams running through it.
func chaosSQLiteKill(t *testing.T) {
	q := newQueue(t, 3*time.Second)
	c := startChaos(t, "db-sqlite", 1, q, concat(sqliteEnv(t), q.env)...)

	p := c.procs[0]
	p.Kill()
	time.Sleep(3 * time.Second) // down a while under load
	// The same address, so the producers and the streams find it where they left it.
	c.procs[0] = p.restart("NOTIFY_HTTP_ADDR=" + strings.TrimPrefix(p.URL, "http://"))
	c.awaitRecovered()
	c.finish()
	if n := c.load.retryCounts()["http error"]; n == 0 {
		t.Error("no POST failed to connect: the kill did not hit ingest")
	}
}

// Redis, the live fan-out between two replicas, down (20 s on MariaDB, chaosShortOutage
// on PostgreSQL with NOTIFY_FANOUT=redis): pushes between replicas are lost meanwhile,
// and streams heal from the store. Not on SQLite: one process, no fan-out between
// replicas, so there is no Redis to take away.
func TestChaosRedisDown(t *testing.T) {
	t.Parallel()
	for _, d := range []chaosDeployment{
		{"mariadb", 2, true, func(t *testing.T) []string { return []string{"NOTIFY_DATABASE_URL=" + testenv.MySQLURL(t)} }},
		{"postgres", 2, false, func(t *testing.T) []string {
			return []string{"NOTIFY_DATABASE_URL=" + testenv.PostgresURL(t), "NOTIFY_FANOUT=redis"}
		}},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			q := newQueue(t, 3*time.Second)
			redis := testenv.StartRedis(t)
			c := startChaos(t, "redis-"+d.name, d.replicas, q, concat(d.env(t), []string{"NOTIFY_REDIS_URL=" + redis.URL}, q.env)...)

			down := time.Now()
			redis.Stop()
			c.awaitNamed(false, "redis")
			time.Sleep(time.Until(down.Add(d.outage(20 * time.Second))))
			if err := redis.Start(); err != nil {
				t.Fatalf("redis start: %v", err)
			}
			c.awaitRecovered()
			c.finish()
			// The outage did drop pushes between the replicas, and each replica re-subscribed.
			var dropped float64
			for _, p := range c.procs {
				dropped += metric(t, p, "notifyd_fanout_publish_errors_total")
				if n := metric(t, p, "notifyd_fanout_reconnects_total"); n < 1 {
					t.Errorf("%s: %v Redis re-subscriptions, want at least 1", p.name, n)
				}
				t.Logf("%s: streams healed from the store: %v gaps, %v notifications replayed", p.name,
					metric(t, p, "notifyd_sse_gaps_total"), metric(t, p, "notifyd_sse_replayed_total"))
			}
			if dropped == 0 {
				t.Error("no publish to Redis failed: the outage did not hit the fan-out")
			}
		})
	}
}

// The SQS endpoint unreachable (20 s on MariaDB, chaosShortOutage elsewhere: the proxy in
// front of goaws refuses connections and cuts those open). Producers still publish to the
// queue, which fills up meanwhile.
func TestChaosSQSUnreachable(t *testing.T) {
	t.Parallel()
	for _, d := range chaosDeployments {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			q := newQueue(t, 3*time.Second)
			proxy := testenv.StartProxy(t, q.g.URL[len("http://"):])
			c := startChaos(t, "sqs-"+d.name, d.replicas, q, concat(d.env(t), q.env, []string{"AWS_ENDPOINT_URL=" + proxy.URL()})...)
			if len(proxy.Requests()) == 0 {
				t.Fatal("notifyd's SQS traffic does not go through the proxy")
			}

			down := time.Now()
			outage := d.outage(20 * time.Second)
			proxy.Down()
			c.awaitNamed(false, "sqs")
			time.Sleep(time.Until(down.Add(outage)))
			if n := q.count(t); n == 0 {
				t.Errorf("the queue is empty after %s without SQS: the outage did not hit consumption", outage)
			}
			proxy.Up()
			c.awaitRecovered()
			c.finish()
			q.waitEmpty(t, c.procs[0], chaosAwait)
		})
	}
}

// The SMS gateway down (30 s on MariaDB, chaosShortOutage elsewhere): the first half
// answering 503, the second refusing connections (open ones cut). The provider is an
// optional readiness check: /readyz names it as degraded and stays 200.
func TestChaosSMSProviderDown(t *testing.T) {
	t.Parallel()
	for _, d := range chaosDeployments {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			q := newQueue(t, 3*time.Second)
			c := startChaos(t, "sms-"+d.name, d.replicas, q, concat(d.env(t), q.env)...)

			half := d.outage(30*time.Second) / 2
			c.gw.setFailing(true)
			c.awaitNamed(true, "sms")
			time.Sleep(half)
			c.gw.proxy.Down()
			c.awaitNamed(true, "sms")
			time.Sleep(half)
			c.gw.setFailing(false)
			c.gw.proxy.Up()
			c.awaitRecovered()
			c.finish()
			if refused, _ := c.gw.stats(); refused == 0 {
				t.Error("the gateway refused nothing: the outage did not hit delivery")
			}
		})
	}
}

package e2e

import (
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/testenv"
)

// The chaos suite: one dependency down at a time while notifyd works under a steady load.
// The four cases share nothing (each has its own notifyd, database, Redis and queue) and
// run in parallel. See chaos_harness_test.go for the shape and docs/faults.md for the
// cases.

// MariaDB, a private instance shared by two replicas, killed with SIGKILL mid-load and
// started again on the same port and data directory (InnoDB crash recovery).
func TestChaosMariaDBRestart(t *testing.T) {
	t.Parallel()
	db := testenv.StartMariaDB(t)
	q := newQueue(t, 3*time.Second)
	redis := testenv.StartRedis(t)
	c := startChaos(t, "db", 2, q, concat([]string{"NOTIFY_DATABASE_URL=" + db.URL, "NOTIFY_REDIS_URL=" + redis.URL}, q.env)...)

	db.Kill()
	c.awaitNamed("store", false)
	time.Sleep(3 * time.Second) // down a while longer under load
	db.Restart()
	c.awaitRecovered()
	c.finish()
	if n := c.load.retryCounts()["http 503"]; n == 0 {
		t.Error("no POST was answered 503: the outage did not hit ingest")
	}
}

// Redis, the live fan-out between two replicas, down for 20 s: pushes between replicas
// are lost meanwhile, and streams heal from the store.
func TestChaosRedisDown(t *testing.T) {
	t.Parallel()
	q := newQueue(t, 3*time.Second)
	redis := testenv.StartRedis(t)
	c := startChaos(t, "redis", 2, q, concat([]string{"NOTIFY_DATABASE_URL=" + testenv.MySQLURL(t), "NOTIFY_REDIS_URL=" + redis.URL}, q.env)...)

	down := time.Now()
	redis.Stop()
	c.awaitNamed("redis", false)
	time.Sleep(time.Until(down.Add(20 * time.Second)))
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
}

// The SQS endpoint unreachable for 20 s (the proxy in front of goaws refuses connections
// and cuts those open). Producers still publish to the queue, which fills up meanwhile.
func TestChaosSQSUnreachable(t *testing.T) {
	t.Parallel()
	q := newQueue(t, 3*time.Second)
	proxy := testenv.StartProxy(t, q.g.URL[len("http://"):])
	redis := testenv.StartRedis(t)
	c := startChaos(t, "sqs", 1, q, concat([]string{"NOTIFY_DATABASE_URL=" + testenv.MySQLURL(t), "NOTIFY_REDIS_URL=" + redis.URL},
		q.env, []string{"AWS_ENDPOINT_URL=" + proxy.URL()})...)
	if len(proxy.Requests()) == 0 {
		t.Fatal("notifyd's SQS traffic does not go through the proxy")
	}

	down := time.Now()
	proxy.Down()
	c.awaitNamed("sqs", false)
	time.Sleep(time.Until(down.Add(20 * time.Second)))
	if n := q.count(t); n == 0 {
		t.Error("the queue is empty after 20 s without SQS: the outage did not hit consumption")
	}
	proxy.Up()
	c.awaitRecovered()
	c.finish()
	q.waitEmpty(t, c.procs[0], chaosAwait)
}

// The SMS gateway down for 30 s: 15 s answering 503, then 15 s refusing connections (open
// ones cut). The provider is an optional readiness check: /readyz names it as degraded
// and stays 200.
func TestChaosSMSProviderDown(t *testing.T) {
	t.Parallel()
	q := newQueue(t, 3*time.Second)
	redis := testenv.StartRedis(t)
	c := startChaos(t, "sms", 1, q, concat([]string{"NOTIFY_DATABASE_URL=" + testenv.MySQLURL(t), "NOTIFY_REDIS_URL=" + redis.URL}, q.env)...)

	c.gw.setFailing(true)
	c.awaitNamed("sms", true)
	time.Sleep(15 * time.Second)
	c.gw.proxy.Down()
	c.awaitNamed("sms", true)
	time.Sleep(15 * time.Second)
	c.gw.setFailing(false)
	c.gw.proxy.Up()
	c.awaitRecovered()
	c.finish()
	if refused, _ := c.gw.stats(); refused == 0 {
		t.Error("the gateway refused nothing: the outage did not hit delivery")
	}
}

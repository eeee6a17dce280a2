package fanout

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/testenv"
)

func newTestRedis(t *testing.T, url string, hub Hub, reg prometheus.Registerer) *Redis {
	t.Helper()
	r, err := NewRedis(url, hub, RedisOptions{MaxBackoff: 100 * time.Millisecond, HealthInterval: time.Second, PublishTimeout: 10 * time.Second, Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func resynced(n int) func([]notify.Notification, int) bool {
	return func(_ []notify.Notification, resyncs int) bool { return resyncs >= n }
}

func count(n int) func([]notify.Notification, int) bool {
	return func(got []notify.Notification, _ int) bool { return len(got) >= n }
}

func value(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// checkStreams asserts each user's notifications are seqs 1..want[user] in order, once.
func checkStreams(t *testing.T, replica string, got []notify.Notification, want map[string]int64) {
	t.Helper()
	last := map[string]int64{}
	for _, n := range got {
		if n.Seq != last[n.UserID]+1 {
			t.Fatalf("%s: %s got seq %d after %d: out of order or duplicated", replica, n.UserID, n.Seq, last[n.UserID])
		}
		last[n.UserID] = n.Seq
	}
	for u, w := range want {
		if last[u] != w {
			t.Fatalf("%s: %s got up to seq %d, want %d", replica, u, last[u], w)
		}
	}
}

// TestRedisCrossReplica: two replicas on one Redis. What A publishes reaches B's hub in
// order and once, and A's own hub exactly once (locally, not again through Redis).
func TestRedisCrossReplica(t *testing.T) {
	url := testenv.StartRedis(t).URL
	ha, hb := newFakeHub(), newFakeHub()
	a := newTestRedis(t, url, ha, prometheus.NewRegistry())
	b := newTestRedis(t, url, hb, nil)
	ha.waitFor(t, "A subscribed", resynced(1))
	hb.waitFor(t, "B subscribed", resynced(1))
	if err := a.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}

	want := map[string]int64{}
	total := 0
	for batch := range 40 {
		var ns []notify.Notification
		for u := range 5 {
			user := fmt.Sprintf("user-%d", u)
			k := int64(1 + (batch+u)%3) // uneven batches
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
	a.Close() // waits for the publisher goroutine, which counts after each publish
	if p := value(t, a.m.published); p != float64(total) {
		t.Fatalf("A published %v, want %d", p, total)
	}
	if r := value(t, b.m.received); r != float64(total) {
		t.Fatalf("B received %v, want %d", r, total)
	}
}

// TestRedisRestartResyncs kills Redis mid-stream: A keeps delivering locally, B resyncs
// from the store once its subscription is back, and publishing works again.
func TestRedisRestartResyncs(t *testing.T) {
	srv := testenv.StartRedis(t)
	ha, hb := newFakeHub(), newFakeHub()
	a := newTestRedis(t, srv.URL, ha, nil)
	b := newTestRedis(t, srv.URL, hb, nil)
	ha.waitFor(t, "A subscribed", resynced(1))
	hb.waitFor(t, "B subscribed", resynced(1))

	a.Publish(context.Background(), notes("u", 1, 5))
	hb.waitFor(t, "B got 1..5", count(5))

	srv.Stop()
	a.Publish(context.Background(), notes("u", 6, 8)) // lost for B; A's own streams still get it
	ha.waitFor(t, "A delivered 6..8 locally", count(8))
	if err := a.Ping(context.Background()); err == nil {
		t.Fatal("Ping succeeded with Redis down")
	}
	deadline := time.Now().Add(10 * time.Second)
	for value(t, a.m.publishErrors) < 1 { // the publisher goroutine reports the failure
		if time.Now().After(deadline) {
			t.Fatal("no publish error counted while Redis was down")
		}
		time.Sleep(10 * time.Millisecond)
	}

	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	hb.waitFor(t, "B resynced after the restart", resynced(2))
	ha.waitFor(t, "A resynced after the restart", resynced(2))
	if n := value(t, b.m.reconnects); n != 1 {
		t.Fatalf("B counted %v reconnects, want 1", n)
	}

	a.Publish(context.Background(), notes("u", 9, 10))
	hb.waitFor(t, "B got 9..10", func(got []notify.Notification, _ int) bool { return len(got) > 0 && got[len(got)-1].Seq == 10 })
	got, _ := hb.snapshot()
	var seqs []int64
	for _, n := range got {
		seqs = append(seqs, n.Seq)
	}
	// A retries 6..8 until Redis is back: B gets them live if it was subscribed again by
	// then, else from the store on resync (which the fake hub only counts).
	if s := fmt.Sprint(seqs); s != "[1 2 3 4 5 9 10]" && s != "[1 2 3 4 5 6 7 8 9 10]" {
		t.Fatalf("B got seqs %v, want 1..5 then 9..10, with or without 6..8 between", seqs)
	}
}

// TestRedisCloseWhileDown: Close returns promptly and stops both goroutines even when
// Redis is unreachable.
func TestRedisCloseWhileDown(t *testing.T) {
	srv := testenv.StartRedis(t)
	srv.Stop()
	r, err := NewRedis(srv.URL, newFakeHub(), RedisOptions{PublishTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r.Publish(context.Background(), notes("u", 1, 1))
	done := make(chan struct{})
	go func() { r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return within 5s")
	}
	r.Publish(context.Background(), notes("u", 2, 2)) // after Close: local only, no panic
}

// TestRedisCloseUsers: an erasure on A closes the user's streams on A and on B.
func TestRedisCloseUsers(t *testing.T) {
	url := testenv.StartRedis(t).URL
	ha, hb := newFakeHub(), newFakeHub()
	a := newTestRedis(t, url, ha, nil)
	newTestRedis(t, url, hb, nil)
	ha.waitFor(t, "A subscribed", resynced(1))
	hb.waitFor(t, "B subscribed", resynced(1))
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

package fanout

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/testenv"
)

// broadcast is one batch as a broadcast event commits it: one notification for each of n
// users.
func broadcast(n int) ([]notify.Notification, map[string]int64) {
	ns := make([]notify.Notification, n)
	want := make(map[string]int64, n)
	for i := range ns {
		u := fmt.Sprintf("u%d", i)
		ns[i] = notify.Notification{ID: int64(i + 1), UserID: u, Seq: 1, Type: "EVENT_PROMOTION", Message: "봄 기획전이 시작되었습니다.", URL: "https://shop.example/events/12"}
		want[u] = 1
	}
	return ns, want
}

// pipelineSizes records the size of every pipeline a client sends.
type pipelineSizes struct {
	mu    sync.Mutex
	sizes []int
}

func (p *pipelineSizes) DialHook(next redis.DialHook) redis.DialHook { return next }
func (p *pipelineSizes) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return next
}
func (p *pipelineSizes) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		p.mu.Lock()
		p.sizes = append(p.sizes, len(cmds))
		p.mu.Unlock()
		return next(ctx, cmds)
	}
}

var _ redis.Hook = (*pipelineSizes)(nil)

// A broadcast to 20,000 users is one batch of 79 messages: it goes out in round trips of
// at most pipelineMessages, each under its own deadline (one deadline for the whole batch
// cut a 95,000-user broadcast off in the five-replica benchmark), and reaches the other
// replica whole, in order, once.
func TestRedisLargeBatchInRoundTrips(t *testing.T) {
	url := testenv.StartRedis(t).URL
	ha, hb := newFakeHub(), newFakeHub()
	a := newTestRedis(t, url, ha, prometheus.NewRegistry())
	sizes := &pipelineSizes{}
	a.client.AddHook(sizes)
	newTestRedis(t, url, hb, nil)
	ha.waitFor(t, "A subscribed", resynced(1))
	hb.waitFor(t, "B subscribed", resynced(1))

	ns, want := broadcast(20_000)
	sendBroadcast(t, a, a.relay, hb, ns, want)
	sizes.mu.Lock()
	defer sizes.mu.Unlock()
	total := 0
	for _, n := range sizes.sizes {
		if n > pipelineMessages {
			t.Errorf("a pipeline of %d messages, want at most %d", n, pipelineMessages)
		}
		total += n
	}
	if total < len(ns)/a.o.MaxBatch || len(sizes.sizes) < 2 {
		t.Errorf("pipelines %v: want the batch's %d+ messages over several round trips", sizes.sizes, len(ns)/a.o.MaxBatch)
	}
}

// A broadcast over LISTEN/NOTIFY: 5,000 users are over a hundred 8,000-byte payloads, sent
// pipelinePayloads to a round trip; they arrive whole, in order, once. (Smaller than the
// Redis case: under -race, decoding on the listener is what takes the time.)
func TestPostgresLargeBatch(t *testing.T) {
	a, _, _, hb := pgPair(t, testenv.PostgresURL(t))
	ns, want := broadcast(5_000)
	if payloads, _, err := pack("x", ns, pgMaxPayload); err != nil || len(payloads) <= pipelinePayloads {
		t.Fatalf("the broadcast packs into %d payloads (%v), want more than one round trip's %d", len(payloads), err, pipelinePayloads)
	}
	sendBroadcast(t, a, a.relay, hb, ns, want)
}

// sendBroadcast publishes ns from replica a and checks that B's hub got every user's
// notification whole, in order, once, and that a, once closed, counted no publish error.
func sendBroadcast(t *testing.T, a interface{ Close() error }, r *relay, hb *fakeHub, ns []notify.Notification, want map[string]int64) {
	t.Helper()
	r.Publish(context.Background(), ns)
	hb.waitFor(t, "B received the broadcast", count(len(ns)))
	got, _ := hb.snapshot()
	checkStreams(t, "B", got, want)
	a.Close()
	if e := value(t, r.m.publishErrors); e != 0 {
		t.Errorf("%v publish errors", e)
	}
}

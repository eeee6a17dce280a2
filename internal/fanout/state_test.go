package fanout

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/testenv"
)

// TestRedisStateCrossReplica: a state change published on A reaches B's hub once, in the
// order A published it relative to that user's notifications, and A's hub once, locally.
func TestRedisStateCrossReplica(t *testing.T) {
	url := testenv.StartRedis(t).URL
	ha, hb := newFakeHub(), newFakeHub()
	a := newTestRedis(t, url, ha, prometheus.NewRegistry())
	newTestRedis(t, url, hb, nil)
	ha.waitFor(t, "A subscribed", resynced(1))
	hb.waitFor(t, "B subscribed", resynced(1))

	at := time.UnixMilli(1_800_000_000_000).UTC()
	var want []notify.StateChange
	for i := range 5 {
		user := fmt.Sprintf("user-%d", i)
		a.Publish(context.Background(), notes(user, 1, 2))
		sc := notify.StateChange{UserID: user, IDs: []int64{int64(i + 1)}, ReadAt: &at}
		if i%2 == 1 {
			sc = notify.StateChange{UserID: user, UpToSeq: 2, Type: "ORDER_CREATED", SeenAt: &at}
		}
		a.PublishState(context.Background(), sc)
		want = append(want, sc)
	}
	deadline := time.After(10 * time.Second)
	for len(hb.stateSnapshot()) < len(want) {
		select {
		case <-hb.changed:
		case <-deadline:
			t.Fatalf("B has %d state changes, want %d", len(hb.stateSnapshot()), len(want))
		}
	}
	got := hb.stateSnapshot()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("B got %+v, want %+v", got, want)
	}
	if gotA := ha.stateSnapshot(); len(gotA) != len(want) {
		t.Fatalf("A's own hub got %d state changes, want %d (once, locally)", len(gotA), len(want))
	}
	if ns, _ := hb.snapshot(); len(ns) != 10 {
		t.Fatalf("B got %d notifications, want 10", len(ns))
	}
}

package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// An event (its key and payload) goes only once none of its notifications is left and
// nothing of it still waits; after that its eventId is a new event. Batches go oldest
// first, and CountPurgeable counted what went.
func testPurgeEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, k := range []string{"e1", "e2", "e3"} {
		accept(t, s, inboxOnly(k, "ORDER_CREATED", "u1"))
	}
	// A notification that waits for its sendAt: its event stays however old.
	accept(t, s, ScheduledInput("waits", time.Now().Add(time.Hour), "u2"))
	before := cutoff()
	accept(t, s, inboxOnly("e4", "ORDER_CREATED", "u1")) // newer than the cutoff

	types, err := s.EventTypes(ctx)
	if err != nil || !slices.Contains(types, "ORDER_CREATED") || !slices.Contains(types, "DELIVERY_STARTED") {
		t.Fatalf("EventTypes = %v, %v", types, err)
	}
	purgeEvents := func(typ string, limit int) int64 {
		t.Helper()
		n, err := s.PurgeEvents(ctx, typ, before, limit)
		if err != nil {
			t.Fatalf("PurgeEvents(%s): %v", typ, err)
		}
		return n
	}
	if n := purgeEvents("ORDER_CREATED", 100); n != 0 {
		t.Fatalf("PurgeEvents took %d events whose notifications are all still there", n)
	}
	if p := purge(t, s, "ORDER_CREATED", before, 100); p.Notifications != 3 {
		t.Fatalf("purged %+v, want 3 notifications", p)
	}
	cut := map[string]time.Time{"ORDER_CREATED": before, "DELIVERY_STARTED": before}
	if c, err := s.CountPurgeable(ctx, store.PurgeCutoffs{Events: cut}); err != nil || c.Events != 3 {
		t.Fatalf("CountPurgeable events = %+v, %v; want 3", c, err)
	}
	var got []int64
	for _, want := range []int64{2, 1, 0} {
		n := purgeEvents("ORDER_CREATED", 2)
		got = append(got, n)
		if n != want {
			t.Fatalf("event batches purged %v, want [2 1 0]", got)
		}
	}
	if n := purgeEvents("DELIVERY_STARTED", 100); n != 0 {
		t.Fatalf("PurgeEvents took the event whose notification still waits for its sendAt (%d)", n)
	}
	if _, err := s.EventStatus(ctx, "e1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("EventStatus(e1) after its purge = %v, want ErrNotFound", err)
	}
	for _, k := range []string{"e4", "waits"} {
		if _, err := s.EventStatus(ctx, k); err != nil {
			t.Fatalf("EventStatus(%s), kept: %v", k, err)
		}
	}
	// The purged key is free: the same eventId again is a new event, not a duplicate.
	res := accept(t, s, inboxOnly("e1", "ORDER_CREATED", "u1"))
	if res[0].Duplicate || len(res[0].Notifications) != 1 {
		t.Fatalf("e1 sent again after its purge = %+v, want a new event", res[0])
	}
	// The per-user sequence goes on past the purged notifications.
	if seq := res[0].Notifications[0].Seq; seq != 5 {
		t.Fatalf("e1's new notification has seq %d, want 5", seq)
	}
}

package storetest

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// retentionTests are the purge of old rows and the singleton lease (#28).
var retentionTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"PurgeOldestFirstInBatches", testPurgeBatches},
	{"PurgeKeepsDeliveriesStillToGo", testPurgeKeepsPending},
	{"PurgeNeverReusesSeq", testPurgeSeq},
	{"PurgeOutboxDeliveredOnly", testPurgeOutbox},
	{"PurgeEventsOnlyWhenNothingNeedsThem", testPurgeEvents},
	{"LeaseOneHolderAtATime", testLease},
}

// inboxOnly is Input of type typ with the inbox as every target's only channel: no
// delivery rows.
func inboxOnly(key, typ string, users ...string) store.AcceptInput {
	in := typed(key, typ, users...)
	for i := range in.Prepared.Targets {
		in.Prepared.Targets[i].Channels = []notify.Channel{notify.ChannelInbox}
	}
	return in
}

// cutoff returns a time after every row written so far and before every row written
// once it returns: it waits (without sleeping) for the clock's next millisecond.
func cutoff() time.Time {
	c := time.UnixMilli(time.Now().UnixMilli() + 1)
	for time.Now().Before(c) {
		runtime.Gosched()
	}
	return c
}

func purge(t *testing.T, s store.Store, typ string, before time.Time, limit int) store.Purged {
	t.Helper()
	p, err := s.PurgeNotifications(context.Background(), typ, before, limit)
	if err != nil {
		t.Fatalf("PurgeNotifications(%s): %v", typ, err)
	}
	return p
}

func seqsOf(t *testing.T, s store.Store, user string) []int64 {
	t.Helper()
	ns, err := s.NotificationsAfter(context.Background(), user, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, n := range ns {
		out = append(out, n.Seq)
	}
	return out
}

// Five old notifications go two at a time, oldest first; the type's newer one and
// another type's old one stay. The count before matched what went.
func testPurgeBatches(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, k := range []string{"b1", "b2", "b3", "b4", "b5"} {
		accept(t, s, inboxOnly(k, "ORDER_CREATED", "u1"))
	}
	accept(t, s, inboxOnly("other", "DELIVERY_STARTED", "u1"))
	before := cutoff()
	accept(t, s, inboxOnly("b6", "ORDER_CREATED", "u1"))

	types, err := s.StoredTypes(ctx)
	if err != nil || !slices.Equal(types, []string{"DELIVERY_STARTED", "ORDER_CREATED"}) {
		t.Fatalf("StoredTypes = %v, %v", types, err)
	}
	if at, ok, err := s.OldestNotification(ctx); err != nil || !ok || !at.Before(before) {
		t.Fatalf("OldestNotification = %v, %v, %v; want before %v", at, ok, err, before)
	}
	count, err := s.CountPurgeable(ctx, store.PurgeCutoffs{Types: map[string]time.Time{"ORDER_CREATED": before}})
	if err != nil || count != (store.Purged{Notifications: 5}) {
		t.Fatalf("CountPurgeable = %+v, %v; want 5 notifications", count, err)
	}
	var got []int64
	for _, want := range []int64{2, 2, 1, 0} {
		p := purge(t, s, "ORDER_CREATED", before, 2)
		if p.Notifications != want {
			t.Fatalf("batch purged %+v, want %d notifications", p, want)
		}
		got = append(got, p.Notifications)
	}
	// What is left: DELIVERY_STARTED (seq 6) and the newer ORDER_CREATED (seq 7).
	if seqs := seqsOf(t, s, "u1"); !slices.Equal(seqs, []int64{6, 7}) {
		t.Fatalf("after purging batches %v, u1 has seqs %v; want [6 7]", got, seqs)
	}
}

// A notification whose SMS is still pending stays; one whose SMS went goes with its
// delivery, and its event's status no longer lists it.
func testPurgeKeepsPending(t *testing.T, s store.Store) {
	ctx := context.Background()
	res := accept(t, s, Input("k1", "u1", "u2"))
	now := time.Now()
	msgs, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, now, time.Minute, 10)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("claim = %d, %v", len(msgs), err)
	}
	sent := msgs[0]
	if sent.UserID != "u1" {
		sent = msgs[1]
	}
	if err := s.CompleteDelivery(ctx, sent.DeliveryID, sent.Attempt, store.Outcome{Status: notify.StatusSent, At: now}); err != nil {
		t.Fatal(err)
	}
	before := cutoff()
	// u2's SMS is sending (claimed, not complete): still to go.
	p := purge(t, s, "DELIVERY_STARTED", before, 100)
	if p.Notifications != 1 || p.Deliveries != 1 {
		t.Fatalf("purged %+v; want u1's notification and its SMS only", p)
	}
	st, err := s.EventStatus(ctx, "k1")
	if err != nil || len(st.Recipients) != 1 || st.Recipients[0].UserID != "u2" {
		t.Fatalf("status after purge = %+v, %v; want u2 alone", st, err)
	}
	if _, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, now.Add(2*time.Minute), time.Minute, 10); err != nil {
		t.Fatalf("u2's SMS can still be claimed after its lease: %v", err)
	}
	if p := purge(t, s, "DELIVERY_STARTED", before, 100); p.Notifications != 0 {
		t.Fatalf("second purge took %+v while u2's SMS is sending", p)
	}
	_ = res
}

// A user whose notifications were all purged goes on from their last seq: an SSE id is
// never given twice, so a client resuming from an old Last-Event-ID misses nothing new.
func testPurgeSeq(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, k := range []string{"s1", "s2", "s3"} {
		accept(t, s, inboxOnly(k, "ORDER_CREATED", "u1"))
	}
	if p := purge(t, s, "ORDER_CREATED", cutoff(), 100); p.Notifications != 3 {
		t.Fatalf("purged %+v, want 3", p)
	}
	if seqs := seqsOf(t, s, "u1"); len(seqs) != 0 {
		t.Fatalf("after the purge u1 still has %v", seqs)
	}
	res := accept(t, s, inboxOnly("s4", "ORDER_CREATED", "u1"))
	if n := res[0].Notifications[0]; n.Seq != 4 {
		t.Fatalf("the first notification after a purge has seq %d; want 4 (1-3 were given before)", n.Seq)
	}
	last, err := s.LastSeqs(ctx, []string{"u1"})
	if err != nil || last["u1"] != 4 {
		t.Fatalf("LastSeqs = %v, %v; want 4", last, err)
	}
	if seqs := seqsOf(t, s, "u1"); !slices.Equal(seqs, []int64{4}) {
		t.Fatalf("after seq 0 u1 has %v; want [4]", seqs)
	}
}

// Delivered outbox rows older than the cutoff go; a failed one (replayable),
// a pending one and a newer one stay.
func testPurgeOutbox(t *testing.T, s store.Store) {
	ctx := context.Background()
	s.SetWebhooks([]store.WebhookTarget{{Endpoint: "https://a.example/hook", Events: []string{notify.WebhookNotificationRead}}})
	read := func(key string) {
		res := accept(t, s, inboxOnly(key, "ORDER_CREATED", "u1"))
		if err := s.MarkRead(ctx, "u1", res[0].Notifications[0].ID, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	deliver := func(status string) {
		rows, err := s.ClaimOutbox(ctx, time.Now(), time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := s.CompleteOutbox(ctx, r.ID, r.Attempts, store.OutboxOutcome{Status: status, At: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	read("o1")
	read("o2")
	deliver(store.OutboxDelivered)
	read("o3")
	deliver(store.OutboxFailed) // replayable: kept
	read("o4")                  // pending: kept
	before := cutoff()
	read("o5") // newer than the cutoff
	if c, err := s.CountPurgeable(ctx, store.PurgeCutoffs{Outbox: before}); err != nil || c.Outbox != 2 {
		t.Fatalf("CountPurgeable outbox = %+v, %v; want 2", c, err)
	}
	if n, err := s.PurgeOutbox(ctx, before, 1); err != nil || n != 1 {
		t.Fatalf("PurgeOutbox limit 1 = %d, %v", n, err)
	}
	if n, err := s.PurgeOutbox(ctx, before, 10); err != nil || n != 1 {
		t.Fatalf("second PurgeOutbox = %d, %v; want the other delivered one", n, err)
	}
	rows, err := s.ListOutbox(ctx, store.OutboxFilter{})
	if err != nil || len(rows) != 3 {
		t.Fatalf("outbox after purge: %d rows, %v; want o3's, o4's and o5's", len(rows), err)
	}
}

// One holder at a time; the holder renews; another takes it once it expired.
func testLease(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	take := func(holder string, at time.Time, want bool) {
		t.Helper()
		got, err := s.TakeLease(ctx, "retention", holder, at, time.Minute)
		if err != nil || got != want {
			t.Fatalf("TakeLease(%s at +%s) = %v, %v; want %v", holder, at.Sub(now), got, err, want)
		}
	}
	take("a", now, true)
	take("b", now.Add(time.Second), false)
	take("a", now.Add(30*time.Second), true) // renewed until +90s
	take("b", now.Add(80*time.Second), false)
	take("b", now.Add(91*time.Second), true)
	take("a", now.Add(92*time.Second), false)
	if got, err := s.TakeLease(ctx, "other", "a", now, time.Minute); err != nil || !got {
		t.Fatalf("another lease name is its own: %v, %v", got, err)
	}
	// A release by one who does not hold it changes nothing; the holder's release frees
	// it at once, long before it would expire.
	release := func(holder string) {
		t.Helper()
		if err := s.ReleaseLease(ctx, "retention", holder); err != nil {
			t.Fatalf("ReleaseLease(%s): %v", holder, err)
		}
	}
	release("a")
	take("a", now.Add(93*time.Second), false)
	release("b")
	take("a", now.Add(94*time.Second), true)
	release("a")
	release("a") // twice is harmless
	take("b", now.Add(95*time.Second), true)
	if got, err := s.TakeLease(ctx, "other", "b", now.Add(time.Second), time.Minute); err != nil || got {
		t.Fatalf("releasing one lease freed another name's: %v, %v", got, err)
	}
}

package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

// readCancelsEscalation plays two replicas on one database: A accepts
// escalated SMS and claims due deliveries, B marks notifications read. A read on B before
// the delay skips the SMS A would send; with the read and the claim racing at the due
// time, each SMS is either claimed (and the read leaves it alone) or skipped (and never
// claimed), never both.
func readCancelsEscalation(t *testing.T, open ReplicaOpener) {
	ctx := context.Background()
	a, b := open(t)
	typ := &notify.EventType{Name: "ANSWER_REGISTERED", Escalate: map[notify.Channel]time.Duration{notify.ChannelSMS: 5 * time.Minute}}
	const n = 40
	var in []store.AcceptInput
	for i := range n {
		in = append(in, TypedInput(fmt.Sprintf("esc-%d", i), typ,
			Recipient(fmt.Sprintf("u%d", i), "+821011112222", "", notify.ChannelInbox, notify.ChannelSMS)))
	}
	res, err := a.Accept(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	due := res[0].Notifications[0].CreatedAt.Add(6 * time.Minute)

	// u0 reads on B in time: A's worker never gets its SMS.
	if err := b.MarkRead(ctx, "u0", res[0].Notifications[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The others read on B while A claims, all at once.
	claimed := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			ms, err := a.ClaimDeliveries(ctx, notify.ChannelSMS, due, time.Hour, 3)
			if err != nil {
				t.Error(err)
				return
			}
			if len(ms) == 0 {
				return
			}
			mu.Lock()
			for _, m := range ms {
				claimed[m.UserID] = true
			}
			mu.Unlock()
		}
	})
	for i := 1; i < n; i++ {
		wg.Go(func() {
			if _, err := b.MarkAllRead(ctx, fmt.Sprintf("u%d", i), time.Now()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if claimed["u0"] {
		t.Fatal("the SMS of a notification read on the other replica was claimed")
	}
	for i := range n {
		user, key := fmt.Sprintf("u%d", i), fmt.Sprintf("esc-%d", i)
		st, err := a.EventStatus(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		d := st.Recipients[0].Deliveries[0]
		switch {
		case claimed[user] && d.Status != notify.StatusSending:
			t.Errorf("%s: claimed but %s %q", user, d.Status, d.Reason)
		case !claimed[user] && (d.Status != notify.StatusSkipped || d.Reason != prefs.ReasonReadInTime):
			t.Errorf("%s: not claimed but %s %q, want skipped %s", user, d.Status, d.Reason, prefs.ReasonReadInTime)
		}
	}
}

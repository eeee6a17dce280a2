package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// engineTests are the delivery engine's store methods (#11): lease renewal, scheduled rows,
// the message's channel and data, the provider that sent and those that failed over.
var engineTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"RenewDeliveryFenced", testRenewDelivery},
	{"ScheduledClaimedWhenDue", testScheduled},
	{"ClaimCarriesChannelAndData", testClaimData},
	{"ProviderAndFailoverRecorded", testProviderRecorded},
}

func claimOne(t *testing.T, s store.Store, now time.Time, lease time.Duration) notify.Message {
	t.Helper()
	got, err := s.ClaimDeliveries(context.Background(), notify.ChannelSMS, now, lease, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("claim at %s = %+v, %v; want one", now.Format(time.TimeOnly), got, err)
	}
	return got[0]
}

// A renewed lease holds past its first end; a renewal of a superseded attempt, or of a
// row no longer sending, is refused with ErrLeaseLost.
func testRenewDelivery(t *testing.T, s store.Store) {
	ctx := context.Background()
	accept(t, s, Input("r1", "u1"))
	now := time.Now()
	m := claimOne(t, s, now, 10*time.Second)
	if err := s.RenewDelivery(ctx, m.DeliveryID, m.Attempt, now.Add(30*time.Second)); err != nil {
		t.Fatalf("renew: %v", err)
	}
	// The same end again (MySQL reports no changed row) is still a held lease.
	if err := s.RenewDelivery(ctx, m.DeliveryID, m.Attempt, now.Add(30*time.Second)); err != nil {
		t.Fatalf("renew to the same end: %v", err)
	}
	if got, _ := s.ClaimDeliveries(ctx, notify.ChannelSMS, now.Add(20*time.Second), time.Minute, 10); len(got) != 0 {
		t.Fatalf("claimed a renewed lease before its new end: %+v", got)
	}
	m2 := claimOne(t, s, now.Add(31*time.Second), 10*time.Second)
	if m2.Attempt != m.Attempt+1 {
		t.Fatalf("second claim attempt %d, want %d", m2.Attempt, m.Attempt+1)
	}
	if err := s.RenewDelivery(ctx, m.DeliveryID, m.Attempt, now.Add(time.Minute)); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("renewal of a superseded attempt: %v, want ErrLeaseLost", err)
	}
	if err := s.CompleteDelivery(ctx, m2.DeliveryID, m2.Attempt, store.Outcome{Status: notify.StatusSent}); err != nil {
		t.Fatal(err)
	}
	if err := s.RenewDelivery(ctx, m2.DeliveryID, m2.Attempt, now.Add(time.Minute)); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("renewal of a sent delivery: %v, want ErrLeaseLost", err)
	}
	if err := s.RenewDelivery(ctx, 1<<40, 1, now); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("renewal of an unknown delivery: %v, want ErrLeaseLost", err)
	}
}

// A scheduled delivery waits for its time, shows it in the status view, and is then
// claimed like a pending one.
func testScheduled(t *testing.T, s store.Store) {
	ctx := context.Background()
	accept(t, s, Input("s1", "u1"))
	now := time.Now()
	m := claimOne(t, s, now, time.Minute)
	at := now.Add(time.Hour)
	if err := s.CompleteDelivery(ctx, m.DeliveryID, m.Attempt, store.Outcome{Status: notify.StatusScheduled, NextAttemptAt: at}); err != nil {
		t.Fatal(err)
	}
	st, err := s.EventStatus(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	d := st.Recipients[0].Deliveries[0]
	if d.Status != notify.StatusScheduled || d.NextAttemptAt == nil || d.NextAttemptAt.UnixMilli() != at.UnixMilli() {
		t.Fatalf("status view %+v, want scheduled at %s", d, at)
	}
	if got, _ := s.ClaimDeliveries(ctx, notify.ChannelSMS, now.Add(59*time.Minute), time.Minute, 10); len(got) != 0 {
		t.Fatalf("claimed a scheduled delivery before its time: %+v", got)
	}
	if m2 := claimOne(t, s, at, time.Minute); m2.DeliveryID != m.DeliveryID {
		t.Fatalf("claimed %d, want %d", m2.DeliveryID, m.DeliveryID)
	}
}

// A claimed message carries its channel and the event's data, for channels that render
// templates.
func testClaimData(t *testing.T, s store.Store) {
	in := Input("c1", "u1")
	in.Prepared.Event.Data = json.RawMessage(`{"orderId":1001,"productName":"사과"}`)
	accept(t, s, in, Input("c2", "u2"))
	got, err := s.ClaimDeliveries(context.Background(), notify.ChannelSMS, time.Now(), time.Minute, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("claim = %+v, %v", got, err)
	}
	for _, m := range got {
		if m.Channel != notify.ChannelSMS {
			t.Errorf("message channel %q, want sms", m.Channel)
		}
	}
	var data map[string]any
	if err := json.Unmarshal(got[0].Data, &data); err != nil || data["productName"] != "사과" || data["orderId"] != float64(1001) {
		t.Errorf("data %s (%v), want the event's data", got[0].Data, err)
	}
	if len(got[1].Data) != 0 {
		t.Errorf("data of an event without data: %s, want none", got[1].Data)
	}
}

// The status view names the provider that sent, its message id, and those that failed
// before it.
func testProviderRecorded(t *testing.T, s store.Store) {
	ctx := context.Background()
	accept(t, s, Input("p1", "u1"))
	m := claimOne(t, s, time.Now(), time.Minute)
	failed := []string{"sns: transient error Throttling: rate exceeded"}
	if err := s.CompleteDelivery(ctx, m.DeliveryID, m.Attempt, store.Outcome{Status: notify.StatusSent, Provider: "webhook", ProviderID: "gw-1", FailedOver: failed}); err != nil {
		t.Fatal(err)
	}
	st, err := s.EventStatus(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	d := st.Recipients[0].Deliveries[0]
	if d.Status != notify.StatusSent || d.Provider != "webhook" || d.ProviderID != "gw-1" || !slices.Equal(d.FailedOver, failed) || d.NextAttemptAt != nil {
		t.Fatalf("status view %+v", d)
	}
}

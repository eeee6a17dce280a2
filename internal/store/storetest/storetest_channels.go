package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

func testPushSubscriptions(t *testing.T, s store.Store) {
	ctx := context.Background()
	long := "https://fcm.googleapis.com/fcm/send/" + strings.Repeat("x", 700)
	for _, sub := range []store.PushSubscription{
		{UserID: "u1", Endpoint: "https://push.example/a", P256dh: "k1", Auth: "a1", UserAgent: "Firefox"},
		{UserID: "u1", Endpoint: long, P256dh: "k2", Auth: "a2"},
		{UserID: "u2", Endpoint: "https://push.example/b", P256dh: "k3", Auth: "a3"},
	} {
		if err := s.SavePushSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.PushSubscriptions(ctx, "u1")
	if err != nil || len(got) != 2 || got[0].Endpoint != "https://push.example/a" || got[0].UserAgent != "Firefox" || got[1].Endpoint != long || got[1].P256dh != "k2" {
		t.Fatalf("u1's subscriptions = %+v, %v", got, err)
	}
	// One browser, one subscription: the same endpoint saved by u2 moves to u2 with new keys.
	if err := s.SavePushSubscription(ctx, store.PushSubscription{UserID: "u2", Endpoint: "https://push.example/a", P256dh: "k9", Auth: "a9"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PushSubscriptions(ctx, "u1"); len(got) != 1 || got[0].Endpoint != long {
		t.Fatalf("u1 after the move = %+v", got)
	}
	if got, _ := s.PushSubscriptions(ctx, "u2"); len(got) != 2 || got[1].P256dh != "k9" {
		t.Fatalf("u2 after the move = %+v", got)
	}
	// Only the owner deletes.
	if ok, err := s.DeletePushSubscription(ctx, "u1", "https://push.example/b"); ok || err != nil {
		t.Fatalf("u1 deleted u2's subscription: %v %v", ok, err)
	}
	if ok, err := s.DeletePushSubscription(ctx, "u2", "https://push.example/b"); !ok || err != nil {
		t.Fatalf("delete = %v %v", ok, err)
	}
	if got, _ := s.PushSubscriptions(ctx, "u2"); len(got) != 1 {
		t.Fatalf("u2 after delete = %+v", got)
	}
	// A user keeps the newest MaxPushSubscriptions: what was tried is 25 saves for one user.
	for i := range store.MaxPushSubscriptions + 5 {
		if err := s.SavePushSubscription(ctx, store.PushSubscription{UserID: "many", Endpoint: fmt.Sprintf("https://push.example/m%d", i), P256dh: "k", Auth: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err = s.PushSubscriptions(ctx, "many")
	if err != nil || len(got) != store.MaxPushSubscriptions || got[0].Endpoint != "https://push.example/m5" || got[len(got)-1].Endpoint != fmt.Sprintf("https://push.example/m%d", store.MaxPushSubscriptions+4) {
		t.Fatalf("after %d saves: %d subscriptions (%v), first %+v", store.MaxPushSubscriptions+5, len(got), err, got)
	}
	if got, _ := s.PushSubscriptions(ctx, "u2"); len(got) != 1 {
		t.Fatalf("another user's cap touched u2: %+v", got)
	}
}

func testWebhookOutbox(t *testing.T, s store.Store) {
	ctx := context.Background()
	s.SetWebhooks([]store.WebhookTarget{
		{Endpoint: "https://a.example/hook", Events: []string{notify.WebhookDeliverySent, notify.WebhookNotificationRead}},
		{Endpoint: "https://b.example/hook", Events: []string{notify.WebhookDeliveryFailed}},
	})
	res := accept(t, s, Input("w1", "u1", "u2"))
	now := time.Now()
	msgs, err := s.ClaimDeliveries(ctx, notify.ChannelSMS, now, time.Minute, 10)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("claim = %d, %v", len(msgs), err)
	}
	// A retry and a lost lease write nothing; sent and failed write for the endpoints that want them.
	if err := s.CompleteDelivery(ctx, msgs[0].DeliveryID, msgs[0].Attempt+1, store.Outcome{Status: notify.StatusSent, At: now}); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("stale complete = %v", err)
	}
	if err := s.CompleteDelivery(ctx, msgs[0].DeliveryID, msgs[0].Attempt, store.Outcome{Status: notify.StatusSent, ProviderID: "p-1", At: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteDelivery(ctx, msgs[1].DeliveryID, msgs[1].Attempt, store.Outcome{Status: notify.StatusFailed, Error: "invalid number", At: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRead(ctx, "u1", res[0].Notifications[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRead(ctx, "u1", res[0].Notifications[0].ID, now); err != nil { // already read: no second row
		t.Fatal(err)
	}
	if n, err := s.MarkAllRead(ctx, "u2", now); err != nil || n != 1 {
		t.Fatalf("read all = %d, %v", n, err)
	}
	rows, err := s.ListOutbox(ctx, store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ endpoint, event, user string }
	var got []row
	for _, r := range rows {
		var p struct {
			Type string
			Data struct {
				UserID, EventID, Channel, ProviderMessageID string
				DeliveryID                                  int64
			}
		}
		if err := json.Unmarshal(r.Payload, &p); err != nil || p.Type != r.Event || p.Data.EventID != "w1" || r.Status != store.OutboxPending {
			t.Fatalf("row %+v: payload %s (%v)", r, r.Payload, err)
		}
		got = append(got, row{r.Endpoint, r.Event, p.Data.UserID})
	}
	want := []row{
		{"https://a.example/hook", notify.WebhookDeliverySent, msgs[0].UserID},
		{"https://b.example/hook", notify.WebhookDeliveryFailed, msgs[1].UserID},
		{"https://a.example/hook", notify.WebhookNotificationRead, "u1"},
		{"https://a.example/hook", notify.WebhookNotificationRead, "u2"},
	}
	if len(got) != len(want) {
		t.Fatalf("outbox = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("outbox = %+v, want %+v", got, want)
		}
	}

	// Claim with a lease; an expired lease is claimed again with the next attempt.
	claimed, err := s.ClaimOutbox(ctx, now, time.Minute, 3)
	if err != nil || len(claimed) != 3 || claimed[0].Attempts != 1 || claimed[0].Status != store.OutboxSending {
		t.Fatalf("claim = %+v, %v", claimed, err)
	}
	if more, _ := s.ClaimOutbox(ctx, now, time.Minute, 10); len(more) != 1 || more[0].ID != rows[3].ID {
		t.Fatalf("second claim = %+v", more)
	}
	again, err := s.ClaimOutbox(ctx, now.Add(2*time.Minute), time.Minute, 1)
	if err != nil || len(again) != 1 || again[0].ID != claimed[0].ID || again[0].Attempts != 2 {
		t.Fatalf("claim after the lease = %+v, %v", again, err)
	}
	if err := s.CompleteOutbox(ctx, claimed[0].ID, 1, store.OutboxOutcome{Status: store.OutboxDelivered}); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("stale outbox complete = %v", err)
	}
	if err := s.CompleteOutbox(ctx, again[0].ID, 2, store.OutboxOutcome{Status: store.OutboxDelivered, At: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteOutbox(ctx, claimed[1].ID, 1, store.OutboxOutcome{Status: store.OutboxFailed, Error: "gave up", At: now}); err != nil {
		t.Fatal(err)
	}
	failed, _ := s.ListOutbox(ctx, store.OutboxFilter{Status: store.OutboxFailed})
	if len(failed) != 1 || failed[0].ID != claimed[1].ID || failed[0].LastError != "gave up" {
		t.Fatalf("failed = %+v", failed)
	}
	if err := s.ReplayOutbox(ctx, claimed[1].ID, now); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplayOutbox(ctx, 1<<40, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("replay unknown = %v", err)
	}
	re, _ := s.ClaimOutbox(ctx, now.Add(time.Second), time.Minute, 10)
	if len(re) != 1 || re[0].ID != claimed[1].ID || re[0].Attempts != 2 {
		t.Fatalf("claim after replay = %+v", re)
	}
	delivered, _ := s.ListOutbox(ctx, store.OutboxFilter{Status: store.OutboxDelivered})
	if len(delivered) != 1 || delivered[0].DeliveredAt == nil {
		t.Fatalf("delivered = %+v", delivered)
	}
}

func testEmailAndWebPushDeliveries(t *testing.T, s store.Store) {
	ctx := context.Background()
	in := Input("c1", "u1", "u2")
	in.Prepared.Event.Data = json.RawMessage(`{"orderId":1001}`)
	for i := range in.Prepared.Targets {
		in.Prepared.Targets[i].Channels = []notify.Channel{notify.ChannelInbox, notify.ChannelEmail, notify.ChannelWebPush}
	}
	in.Prepared.Targets[0].Email = "buyer@example.com" // u2 has none
	accept(t, s, in)
	now := time.Now()
	emails, err := s.ClaimDeliveries(ctx, notify.ChannelEmail, now, time.Minute, 10)
	if err != nil || len(emails) != 1 {
		t.Fatalf("email claims = %+v, %v", emails, err)
	}
	m := emails[0]
	if m.Channel != notify.ChannelEmail || m.To != "buyer@example.com" || m.UserID != "u1" || string(m.Data) != `{"orderId":1001}` {
		t.Fatalf("email message = %+v (data %s)", m, m.Data)
	}
	pushes, err := s.ClaimDeliveries(ctx, notify.ChannelWebPush, now, time.Minute, 10)
	if err != nil || len(pushes) != 2 || pushes[0].Channel != notify.ChannelWebPush || pushes[0].To != pushes[0].UserID {
		t.Fatalf("webpush claims = %+v, %v", pushes, err)
	}
	st, err := s.EventStatus(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Recipients {
		for _, d := range r.Deliveries {
			if r.UserID == "u2" && d.Channel == notify.ChannelEmail && (d.Status != notify.StatusSkipped || d.Reason != "no_email") {
				t.Errorf("u2's email = %+v, want skipped no_email", d)
			}
		}
	}
}

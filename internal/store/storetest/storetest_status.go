package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

func testEventStatus(t *testing.T, s store.Store) {
	ctx := context.Background()
	in := Input("st", "buyer", "owner")
	in.Prepared.Targets[1].Role = notify.RoleOwner
	in.Prepared.Targets[1].Channels = []notify.Channel{notify.ChannelInbox}
	accept(t, s, in)
	st, err := s.EventStatus(ctx, "st")
	if err != nil {
		t.Fatal(err)
	}
	if st.Key != "st" || st.Type != "DELIVERY_STARTED" || len(st.Recipients) != 2 {
		t.Fatalf("status = %+v", st)
	}
	if d := st.Recipients[0].Deliveries; len(d) != 1 || d[0].Channel != notify.ChannelSMS || d[0].Status != notify.StatusPending {
		t.Fatalf("buyer deliveries = %+v", d)
	}
	if d := st.Recipients[1].Deliveries; len(d) != 0 || st.Recipients[1].Role != notify.RoleOwner {
		t.Fatalf("owner = %+v", st.Recipients[1])
	}
	if _, err := s.EventStatus(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing event: %v", err)
	}
}

func testRejected(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := store.Rejected{Source: "sqs", Queue: "orders", MessageID: "m1", Body: "{bad", Code: "invalid_json", Reason: "malformed JSON"}
	id, err := s.SaveRejected(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.SaveRejected(ctx, r)
	if err != nil || id2 != id {
		t.Fatalf("saving the same message again: id %d (%v), want %d", id2, err, id)
	}
	got, err := s.GetRejected(ctx, id)
	if err != nil || got.ReceiveCount != 2 || got.Body != "{bad" || got.Status != store.RejectedPending {
		t.Fatalf("GetRejected = %+v, %v", got, err)
	}
	if _, err := s.SaveRejected(ctx, store.Rejected{Source: "sqs", Queue: "orders", MessageID: "m2", Body: "{}", Code: "no_recipient", Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListRejected(ctx, store.RejectedFilter{Status: store.RejectedPending})
	if err != nil || len(list) != 2 {
		t.Fatalf("ListRejected = %+v, %v", list, err)
	}
	if err := s.MarkReplayed(ctx, id, "evt", time.Now()); err != nil {
		t.Fatal(err)
	}
	list, _ = s.ListRejected(ctx, store.RejectedFilter{Status: store.RejectedPending})
	if len(list) != 1 || list[0].MessageID != "m2" {
		t.Fatalf("after replay: %+v", list)
	}
	if _, err := s.GetRejected(ctx, 424242); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing rejected: %v", err)
	}
}

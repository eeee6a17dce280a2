package ingest_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
)

const priceDrop = `{"whoToNotify":{"userId":7,"role":"CUSTOMER"},"publishInformation":{"notificationType":"PRICE_DROP","eventId":"%s","data":{"productId":3}}}`

func priceDropRegistry(t *testing.T) *notify.Registry {
	t.Helper()
	reg, err := notify.LoadRegistry(strings.NewReader("types:\n  PRICE_DROP:\n    message: \"가격이 내려갔습니다.\"\n    url: \"https://shop/products/{{.productId}}\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "notify.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newService(t *testing.T, st store.Store, reg *notify.Registry) *ingest.Service {
	t.Helper()
	svc := ingest.New(st, ingest.Options{Registry: reg})
	t.Cleanup(svc.Close)
	return svc
}

func saveRejected(t *testing.T, st store.Store, msgID, body string) int64 {
	t.Helper()
	id, err := st.SaveRejected(context.Background(), store.Rejected{Source: "sqs", Queue: "orders", MessageID: msgID, Body: body, Code: string(notify.CodeUnknownType), Reason: "unknown type"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A kept message stays rejected until its cause is fixed, then is stored under its key
// and marked; replaying again finds a duplicate.
func TestReplay(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	id := saveRejected(t, st, "m-1", strings.Replace(priceDrop, "%s", "price-3-dropped", 1))

	// The cause is not fixed: it stays rejected with the same reason.
	_, err := newService(t, st, notify.DefaultRegistry()).Replay(ctx, id, decodeRaw)
	if got := notify.ErrorCode(err); got != notify.CodeUnknownType {
		t.Fatalf("replay before the fix: got %v, want unknown_type", err)
	}
	if rj, _ := st.GetRejected(ctx, id); rj.Status != store.RejectedPending {
		t.Fatalf("status after a failed replay = %q, want %q", rj.Status, store.RejectedPending)
	}

	// The type is added: the replay stores it and marks the message.
	svc := newService(t, st, priceDropRegistry(t))
	results, err := svc.Replay(ctx, id, decodeRaw)
	if err != nil {
		t.Fatalf("replay after the fix: %v", err)
	}
	if len(results) != 1 || results[0].Key != "price-3-dropped" || len(results[0].Notifications) != 1 {
		t.Fatalf("results = %+v", results)
	}
	rj, err := st.GetRejected(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rj.Status != store.RejectedReplayed || rj.EventKey != "price-3-dropped" || rj.ReplayedAt == nil {
		t.Errorf("after replay: status %q key %q replayedAt %v", rj.Status, rj.EventKey, rj.ReplayedAt)
	}

	// Replaying again is harmless: the event is a duplicate.
	again, err := svc.Replay(ctx, id, decodeRaw)
	if err != nil || !again[0].Duplicate {
		t.Errorf("second replay: %+v, %v", again, err)
	}
	if _, err := svc.Replay(ctx, 999, decodeRaw); notify.ErrorCode(err) != notify.CodeNotFound {
		t.Errorf("replay of an unknown id: %v, want not_found", err)
	}
}

// ReplayAll replays what it can, leaves what still fails, and reports each.
func TestReplayAll(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	saveRejected(t, st, "m-1", strings.Replace(priceDrop, "%s", "p-1", 1))
	bad := saveRejected(t, st, "m-2", `{"whoToNotify":`)
	saveRejected(t, st, "m-3", strings.Replace(priceDrop, "%s", "p-3", 1))

	var seen []int64
	sum, err := newService(t, st, priceDropRegistry(t)).ReplayAll(ctx, "sqs", decodeRaw, func(p ingest.ReplayProgress) {
		seen = append(seen, p.Message.ID)
		if (p.Err != nil) != (p.Message.ID == bad) {
			t.Errorf("message %d: err %v", p.Message.ID, p.Err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Replayed != 2 || sum.Failed != 1 || len(seen) != 3 {
		t.Errorf("summary %+v, progress for %v", sum, seen)
	}
	left, err := st.ListRejected(ctx, store.RejectedFilter{Status: store.RejectedPending})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].ID != bad {
		t.Errorf("still rejected: %+v, want only %d", left, bad)
	}
}

// decodeRaw is a source's decoder for bodies of raw NotificationData.
func decodeRaw(rj store.Rejected) ([]ingest.Input, error) {
	events, err := notify.DecodeEvents([]byte(rj.Body))
	if err != nil {
		return nil, err
	}
	ins := make([]ingest.Input, len(events))
	for i, ev := range events {
		ins[i] = ingest.Input{Event: ev, FallbackKey: rj.MessageID, Source: rj.Source}
	}
	return ins, nil
}

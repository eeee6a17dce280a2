package sqs

import (
	"context"
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/publish"
)

// A poison message is kept as rejected and deleted; once its type is configured it is
// replayed and accepted. A malformed one stays rejected.
func TestPoisonRejectedFixedReplayed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, notify.DefaultRegistry())
	name, url := e.queue("orders", 30)
	ids, err := publish.NewSQS(e.client, url).Send(ctx, publish.ForOne(publish.Customer("11", ""), publish.Info{
		NotificationType: "PRICE_DROP", Data: map[string]any{"productId": 3},
	}))
	if err != nil {
		t.Fatal(err)
	}
	e.sendRaw(url, `{"whoToNotify": {"userId": 11, "role": "CUSTOMER"}, "publishInformation": `)

	c := e.start(e.svc, Options{Queues: []string{name}})
	if got := c.waitFinal(t, 2); got[rejected] != 2 {
		t.Fatalf("outcomes %v, want 2 rejected", got)
	}
	c.stop(t)
	if n := e.queueLength(url); n != 0 {
		t.Errorf("%d messages left, want 0: rejected messages are deleted", n)
	}
	rows, err := e.store.ListRejected(ctx, store.RejectedFilter{Status: store.RejectedPending})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rejected rows, want 2", len(rows))
	}
	codes := map[string]store.Rejected{}
	for _, r := range rows {
		codes[r.Code] = r
		if r.Source != SourceName || r.Queue != name || r.MessageID == "" || r.Body == "" || r.ReceiveCount != 1 || r.Reason == "" {
			t.Errorf("rejected row %+v", r)
		}
	}
	unknown, ok := codes[string(notify.CodeUnknownType)]
	if !ok || !strings.Contains(unknown.Body, "PRICE_DROP") {
		t.Fatalf("no unknown_type row with the body: %+v", rows)
	}
	if _, ok := codes[string(notify.CodeInvalidJSON)]; !ok {
		t.Errorf("no invalid_json row: %+v", rows)
	}

	// The type is added to the configuration: replay everything.
	reg, err := notify.LoadRegistry(strings.NewReader("types:\n  PRICE_DROP:\n    message: \"가격이 내려갔습니다.\"\n    url: \"https://shop/products/{{.productId}}\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ReplayAllRejected(ctx, e.newService(reg), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Replayed != 1 || sum.Failed != 1 {
		t.Errorf("replay summary %+v, want 1 replayed, 1 still failing", sum)
	}
	fixed, err := e.store.GetRejected(ctx, unknown.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fixed.Status != store.RejectedReplayed || fixed.EventKey != ids[0] {
		t.Errorf("replayed row: status %q key %q, want replayed %q", fixed.Status, fixed.EventKey, ids[0])
	}
	if ns := e.notificationsOf("11"); len(ns) != 1 || ns[0].Type != "PRICE_DROP" {
		t.Errorf("notifications of 11: %+v", ns)
	}
}

package ctl_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/store"
)

func saveRejected(t *testing.T, a *app.App, msgID, body, code, reason string) int64 {
	t.Helper()
	id, err := a.Store.SaveRejected(context.Background(), store.Rejected{Source: "sqs", Queue: "orders", MessageID: msgID, Body: body, Code: code, Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// good is a valid NotificationData body for one owner.
func good(user, eventID string) string {
	b, _ := json.Marshal(map[string]any{
		"whoToNotify":        map[string]any{"userId": user, "role": "OWNER"},
		"publishInformation": map[string]any{"notificationType": "DELIVERY_STARTED", "message": "재처리된 알림", "url": "https://mypage/orders/1", "eventId": eventID},
	})
	return string(b)
}

func TestRejectedListAndReplay(t *testing.T) {
	a, server := startApp(t, app.Config{IngestToken: "s3cret"})
	c := newCtl(t, server)
	// Kept as if SQS had delivered them while their type was unknown, plus one that is
	// still malformed.
	one := saveRejected(t, a, "m-1", good("21", "rj-1"), "unknown_type", "notificationType DELIVERY_STARTED is not registered")
	bad := saveRejected(t, a, "m-2", `{"whoToNotify":`, "invalid_json", "malformed JSON")
	two := saveRejected(t, a, "m-3", good("22", "rj-3"), "unknown_type", "notificationType DELIVERY_STARTED is not registered")
	three := saveRejected(t, a, "m-4", good("23", "rj-4"), "unknown_type", "notificationType DELIVERY_STARTED is not registered")

	r := c.fails(1, "rejected", "list")
	contains(t, "list without token", r.stderr, "(401 unauthorized)")

	c.server = server
	r = c.ok("--token", "s3cret", "rejected", "list", "--limit", "2")
	contains(t, "rejected list", r.stdout, "ID", "REASON", "sqs:orders", "unknown_type", "invalid_json", "malformed JSON", "more: notifyctl rejected list --after 2")
	r = c.ok("--token", "s3cret", "rejected", "list", "--all", "--limit", "1", "--json")
	var page struct {
		Rejected []struct {
			ID     int64
			Status string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &page); err != nil || len(page.Rejected) != 4 {
		t.Fatalf("rejected list --all --json: got %s (%v)", r.stdout, err)
	}

	r = c.ok("--token", "s3cret", "rejected", "replay", itoa(one))
	contains(t, "replay one", r.stdout, "replayed "+itoa(one)+": event rj-1, notifications ")
	r = c.fails(1, "--token", "s3cret", "rejected", "replay", itoa(bad))
	contains(t, "replay a bad one", r.stderr, "replay "+itoa(bad)+": Malformed JSON (400 invalid_json)")
	r = c.fails(1, "--token", "s3cret", "rejected", "replay", "999")
	contains(t, "replay a missing one", r.stderr, "(404 not_found)")

	// --all: the two good ones are replayed, the bad one is reported, exit 1.
	r = c.fails(1, "--token", "s3cret", "rejected", "replay", "--all")
	contains(t, "replay --all progress (plain)", r.stderr, "1/3 id "+itoa(bad)+" failed", "2/3 id "+itoa(two)+" → rj-3", "3/3 id "+itoa(three)+" → rj-4", "1 of 3 replays failed")
	contains(t, "replay --all", r.stdout, "replayed "+itoa(two)+": event rj-3", "replayed "+itoa(three)+": event rj-4")

	r = c.ok("--token", "s3cret", "rejected", "list", "--status", "replayed", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &page); err != nil || len(page.Rejected) != 3 {
		t.Fatalf("replayed after --all: got %s (%v)", r.stdout, err)
	}
	r = c.ok("list", "22")
	contains(t, "the replayed notification", r.stdout, "재처리된 알림")

	// On a terminal the bar is redrawn in place.
	c.tty = true
	r = c.fails(1, "--token", "s3cret", "rejected", "replay", "--all")
	contains(t, "replay --all bar", r.stderr, "\r\033[K[--------------------] 0/1", "\r\033[K[####################] 1/1")

	c.fails(2, "rejected")
	c.fails(2, "rejected", "replay")
	c.fails(2, "rejected", "replay", "1", "--all")
}

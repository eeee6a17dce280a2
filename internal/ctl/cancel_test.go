package ctl_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
)

func TestCancel(t *testing.T) {
	_, server := startApp(t, app.Config{})
	c := newCtl(t, server)
	at := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	c.stdin = `{"whoToNotify":{"userId":7,"role":"CUSTOMER","phoneNumber":"+821012345678"},
	  "publishInformation":{"notificationType":"DELIVERY_STARTED","eventId":"review-1","sendAt":"` + at + `","data":{"orderId":1}}}`
	r := c.ok("publish", "-f", "-")
	contains(t, "publish", r.stdout, "accepted review-1: 1 notification scheduled for ")

	r = c.ok("status", "review-1")
	contains(t, "status of a scheduled event", r.stdout, "USER  SCHEDULED  DUE", "7     pending", "no notification visible yet")

	r = c.ok("cancel", "review-1")
	contains(t, "cancel", r.stdout, "event review-1: 1 notification and 0 deliveries cancelled; 0 notifications and 0 deliveries already out",
		"notification", "cancelled", "user 7, scheduled for ")
	// Idempotent: the same answer again.
	again := c.ok("cancel", "review-1")
	if again.stdout != r.stdout {
		t.Errorf("second cancel said\n%s\nfirst said\n%s", again.stdout, r.stdout)
	}
	r = c.ok("cancel", "review-1", "--json")
	var a struct {
		Cancelled struct{ Notifications []struct{ Status string } }
	}
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil || len(a.Cancelled.Notifications) != 1 || a.Cancelled.Notifications[0].Status != "cancelled" {
		t.Fatalf("cancel --json = %s (%v)", r.stdout, err)
	}
	r = c.fails(1, "cancel", "no-such-event")
	contains(t, "unknown event", r.stderr, "Not found (404 not_found)")
	c.fails(2, "cancel")
}

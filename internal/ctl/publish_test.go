package ctl_test

import (
	"encoding/json"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
)

func TestPublish(t *testing.T) {
	_, server := startApp(t, app.Config{})
	c := newCtl(t, server)

	r := c.ok("publish", "-f", "../../examples/events/delivery-started.json")
	contains(t, "publish -f", r.stdout, "accepted order-1001-delivery-started: notifications 1")
	r = c.ok("publish", "../../examples/events/delivery-started.json")
	contains(t, "publish again", r.stdout, "duplicate (already stored) order-1001-delivery-started: notifications 1")

	c.stdin = `[{"whoToNotify":{"userId":31,"role":"OWNER"},"publishInformation":{"notificationType":"QUESTION_REGISTERED","message":"새 문의","url":"https://store/31/q/1","eventId":"q-1"}},
	            {"whoToNotify":{"userId":32,"role":"OWNER"},"publishInformation":{"notificationType":"QUESTION_REGISTERED","message":"새 문의","url":"https://store/32/q/2","eventId":"q-2"}}]`
	r = c.ok("publish", "--json", "-f", "-")
	var batch struct {
		Events []struct {
			EventID         string  `json:"eventId"`
			NotificationIDs []int64 `json:"notificationIds"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &batch); err != nil || len(batch.Events) != 2 || batch.Events[1].EventID != "q-2" {
		t.Fatalf("publish --json from stdin: got %s (%v)", r.stdout, err)
	}

	r = c.ok("publish", "--type", "ORDER_CREATED", "--user-id", "8", "--role", "customer", "--phone", "+821098765432",
		"--data", `{"orderId": 1002}`, "--event-id", "order-1002-created")
	contains(t, "publish with flags", r.stdout, "accepted order-1002-created: notifications")
	r = c.ok("list", "8", "--json")
	var list struct {
		Notifications []struct{ Message, URL string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list.Notifications) != 1 ||
		list.Notifications[0].Message != "주문이 완료되었습니다." || list.Notifications[0].URL != "https://mypage/orders/1002" {
		t.Fatalf("the flags' event, rendered by its template: got %s (%v)", r.stdout, err)
	}
}

func TestPublishErrors(t *testing.T) {
	_, server := startApp(t, app.Config{IngestToken: "s3cret"})
	c := newCtl(t, server)

	r := c.fails(1, "publish", "--type", "DELIVERY_STARTED", "--user-id", "7", "--message", "hi", "--url", "https://x/1")
	contains(t, "no token", r.stderr, "Unauthorized (401 unauthorized)", "NOTIFY_INGEST_TOKEN")

	r = c.fails(1, "--token", "s3cret", "publish", "--type", "DELIVERY_STARTED", "--user-id", "7", "--message", "hi", "--url", "javascript:alert(1)")
	contains(t, "bad url", r.stderr, "Invalid event (400 invalid_event)", "must be an http or https URL", "[field publishInformation.url]")

	r = c.fails(1, "publish", "--token", "s3cret", "--type", "NO_SUCH_TYPE", "--user-id", "7", "--message", "hi", "--url", "https://x/1")
	contains(t, "unknown type", r.stderr, "(422 unknown_type)")

	c.stdin = "{not json"
	r = c.fails(1, "--token", "s3cret", "publish", "-f", "-")
	contains(t, "bad stdin", r.stderr, "stdin is not valid JSON")

	c.fails(2, "publish", "--no-such-flag")
	r = c.fails(1, "--token", "s3cret", "publish")
	contains(t, "nothing to publish", r.stderr, "-f FILE")
	c.fails(2, "frobnicate")
}

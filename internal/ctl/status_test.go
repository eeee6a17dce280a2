package ctl_test

import (
	"encoding/json"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

func TestStatus(t *testing.T) {
	_, server := startApp(t, app.Config{})
	c := newCtl(t, server)
	c.stdin = `{"whoToNotify":[{"userId":7,"role":"CUSTOMER","phoneNumber":"+821012345678"},{"userId":8,"role":"CUSTOMER"},{"userId":31,"role":"OWNER"}],
	  "publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송이 시작되었습니다.","url":"https://mypage/orders/1001","eventId":"order-1001"}}`
	c.ok("publish", "-f", "-")

	// The log provider sends the SMS soon; wait for it.
	apptest.Eventually(t, "the SMS to be sent", func() bool {
		r := c.ok("status", "order-1001", "--json")
		var st struct {
			Recipients []struct {
				UserID   string
				Channels []struct{ Channel, Status string }
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
			t.Fatalf("status --json: %v\n%s", err, r.stdout)
		}
		for _, rc := range st.Recipients {
			for _, ch := range rc.Channels {
				if rc.UserID == "7" && ch.Channel == "sms" {
					return ch.Status == "sent"
				}
			}
		}
		return false
	})

	r := c.ok("status", "order-1001")
	contains(t, "status", r.stdout,
		"event     order-1001", "type      DELIVERY_STARTED", "source    http",
		"USER", "CHANNEL", "STATUS", "DETAIL",
		"inbox", "stored", "unread",
		"sent", "via log", "provider id log-", " at ",
		"skipped", "reason: no_phone, no phone number")

	r = c.fails(1, "status", "no-such-event")
	contains(t, "unknown event", r.stderr, "Not found (404 not_found)", `no event with id "no-such-event"`)
	c.fails(2, "status")
}

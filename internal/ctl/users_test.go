package ctl_test

import (
	"testing"

	"github.com/notifyd/notifyd/internal/app"
)

func TestUserAndPrefs(t *testing.T) {
	_, server := startApp(t, app.Config{})
	c := newCtl(t, server)

	r := c.fails(1, "user", "get", "7")
	contains(t, "user get of nobody", r.stderr, "404 not_found")
	r = c.ok("user", "set", "7", "--phone", "+821012345678", "--tz", "Asia/Seoul")
	contains(t, "user set", r.stdout, "user      7", "phone     +821012345678", "time zone Asia/Seoul", "email     -")
	r = c.ok("user", "set", "7", "--locale", "ko")
	contains(t, "user set keeps the rest", r.stdout, "phone     +821012345678", "locale    ko")
	r = c.fails(1, "user", "set", "7", "--tz", "Mars/Olympus")
	contains(t, "bad zone", r.stderr, "400 invalid_event", "timeZone")
	c.fails(1, "user", "set", "7")
	c.fails(2, "user", "frobnicate", "7")
	c.fails(2, "user", "get")

	r = c.ok("prefs", "set", "7", "--type", "ANSWER_REGISTERED.sms=off", "--quiet", "22:00-07:00")
	contains(t, "prefs set", r.stdout, "quiet     22:00-07:00", "channels  sms on, email on, webpush on", "ANSWER_REGISTERED", "sms off")
	r = c.ok("prefs", "set", "7", "--sms", "off", "--quiet", "off")
	contains(t, "prefs set keeps the type switch", r.stdout, "quiet     none", "sms off", "off (channel)")
	r = c.ok("prefs", "get", "7", "--json")
	contains(t, "prefs get --json", r.stdout, `"ANSWER_REGISTERED": {`, `"sms": false`, `"quietHours": null`)
	r = c.fails(1, "prefs", "set", "7", "--type", "NOPE.sms=off")
	contains(t, "unknown type", r.stderr, "types.NOPE")
	c.fails(1, "prefs", "set", "7", "--sms", "maybe")

	c.stdin = `{"whoToNotify":{"userId":7,"role":"CUSTOMER"},"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"m","url":"https://x/y","eventId":"u-1"}}`
	c.ok("publish", "-f", "-")
	r = c.ok("user", "delete", "7")
	contains(t, "user delete", r.stdout, "erased user 7: 1 notification, 1 delivery, profile erased, preferences erased")
	r = c.ok("user", "delete", "7")
	contains(t, "user delete again", r.stdout, "erased user 7: 0 notifications, 0 deliveries, profile none, preferences none")
}

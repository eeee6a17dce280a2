package ctl_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
)

func publishN(t *testing.T, c *ctlRun, user string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		c.ok("publish", "--type", "DELIVERY_STARTED", "--user-id", user, "--role", "OWNER",
			"--message", fmt.Sprintf("배송 %d 시작", i), "--url", fmt.Sprintf("https://mypage/orders/%d", i), "--event-id", fmt.Sprintf("u%s-e%d", user, i))
	}
}

func TestList(t *testing.T) {
	_, server := startApp(t, app.Config{})
	c := newCtl(t, server)
	publishN(t, c, "9", 5)

	r := c.ok("list", "9", "--limit", "2")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "배송 5 시작") || !strings.Contains(lines[1], "unread") {
		t.Fatalf("list --limit 2: got\n%s", r.stdout)
	}
	contains(t, "list --limit 2", lines[3], "more: notifyctl list 9 --cursor ")

	r = c.ok("list", "--limit", "2", "--all", "--json", "9")
	var all struct {
		Notifications []struct {
			Seq  int64
			Read bool
		}
		NextCursor string
	}
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil || len(all.Notifications) != 5 || all.NextCursor != "" {
		t.Fatalf("list --all --json: got %s (%v)", r.stdout, err)
	}
	for i, n := range all.Notifications {
		if n.Seq != int64(5-i) {
			t.Errorf("notification %d: got seq %d, want %d (newest first)", i, n.Seq, 5-i)
		}
	}

	r = c.ok("list", "nobody")
	contains(t, "empty list", r.stdout, "no notifications for user nobody")
	r = c.fails(1, "list")
	contains(t, "no user", r.stderr, "name the user")
	r = c.fails(1, "list", "9", "--limit", "500")
	contains(t, "bad limit", r.stderr, "(400 invalid_query)", "[field limit]")
}

package web_test

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

type listAnswer struct {
	Notifications []struct {
		ID      int64  `json:"id"`
		Message string `json:"message"`
		Read    bool   `json:"read"`
	} `json:"notifications"`
}

func (l listAnswer) read(id int64) bool {
	for _, n := range l.Notifications {
		if n.ID == id {
			return n.Read
		}
	}
	return false
}

// TestInboxInBrowser drives the real page in headless Chromium against a real notifyd:
// sign in, receive a notification live, click it, see it read everywhere.
// NOTIFY_INBOX_SCREENSHOT=path.png also saves the page with a few more notifications (the
// picture in docs/inbox.md).
func TestInboxInBrowser(t *testing.T) {
	b := newBrowser(t, 30*time.Second)
	base := startApp(t)
	const user = "7"
	demo := os.Getenv("NOTIFY_INBOX_SCREENSHOT")

	b.run("load the page and sign in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("user-id")),
		chromedp.SendKeys(chromedp.ID("user-id"), user),
		chromedp.Click(chromedp.CSS(`#dev-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("panel")),
		chromedp.WaitVisible(chromedp.ID("empty")),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
	)

	// The link points back at notifyd so the new tab needs no network.
	link := base + "/healthz"
	const message = "배송이 시작되었습니다. 주문 #1001"
	var pub struct {
		NotificationIDs []int64 `json:"notificationIds"`
	}
	if got := call(t, http.MethodPost, base+"/v1/events", "", event(user, "order-1001-started", message, link), &pub); got != http.StatusAccepted || len(pub.NotificationIDs) != 1 {
		t.Fatalf("POST /v1/events: got %d %v, want 202 and one notification", got, pub.NotificationIDs)
	}
	item := `#list button.item[data-id="` + itoa(pub.NotificationIDs[0]) + `"]`

	b.run("see the badge go to 1 and the item appear live",
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(item+".unread")),
	)
	text := get(b, "read the item", chromedp.Text(chromedp.CSS(item+" .msg")))
	lang := get(b, "read the item's lang", chromedp.AttributeValue(chromedp.CSS(item+" .msg"), "lang"))
	label := get(b, "read the bell's label", chromedp.AttributeValue(chromedp.ID("bell"), "aria-label"))
	if !strings.Contains(text, message) || lang.Value != "ko" {
		b.fail("item text %q lang %q, want %q in lang ko", text, lang.Value, message)
	}
	if label.Value != "Notifications, 1 unread" {
		b.fail("bell aria-label: got %q, want %q", label.Value, "Notifications, 1 unread")
	}
	if demo != "" {
		publishDemo(t, base, user)
		b.run("wait for the demo items", chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="4"]`)))
	}

	b.run("click it and see it read",
		chromedp.Click(chromedp.CSS(item)),
		chromedp.WaitVisible(chromedp.CSS(item+":not(.unread)")),
	)
	if demo == "" {
		b.run("see the badge at 0", chromedp.WaitNotVisible(chromedp.ID("badge")), chromedp.WaitReady(chromedp.CSS(`#badge[data-count="0"]`)))
		// The page marks it read before the server answers: poll the server.
		b.eventually("unread-count 0 after the click", func() bool {
			var count struct{ Count int }
			call(t, http.MethodGet, base+"/v1/notifications/unread-count", user, nil, &count)
			return count.Count == 0
		})
	}
	b.eventually("the store to say the notification is read", func() bool {
		var list listAnswer
		call(t, http.MethodGet, base+"/v1/notifications", user, nil, &list)
		return list.read(pub.NotificationIDs[0])
	})
	apptest.Eventually(t, "the link to open in a new tab", func() bool { return slices.Contains(b.openedTabs(), link) })

	if demo != "" {
		png := get(b, "screenshot for the docs", chromedp.FullScreenshot(100))
		if err := os.WriteFile(demo, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", demo)
	}

	// After a reload the list comes from the API: still there, still read.
	b.run("reload and see the item read",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(item+":not(.unread)")),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
	)
	if errs := b.pageErrors(); len(errs) > 0 {
		b.fail("the page logged errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

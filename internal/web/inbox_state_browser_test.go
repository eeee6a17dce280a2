package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestInboxFollowsOtherDevices: reads and archives made through the API (another tab or
// device) reach the open page as state events: the row is painted read or leaves the
// list, and the badge follows.
func TestInboxFollowsOtherDevices(t *testing.T) {
	b := newBrowser(t, 30*time.Second)
	base := startApp(t)
	const user = "9"
	b.run("load the page and sign in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("user-id")),
		chromedp.SendKeys(chromedp.ID("user-id"), user),
		chromedp.Click(chromedp.CSS(`#dev-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
	)
	id1 := publish(t, base, typedEvent("ORDER_CREATED", user, "dev-1", "주문이 접수되었습니다.", base+"/healthz"))
	id2 := publish(t, base, typedEvent("RESTOCK", user, "dev-2", "재입고되었습니다.", base+"/healthz"))
	b.run("see both live",
		chromedp.WaitVisible(chromedp.CSS(itemSel(id1)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(itemSel(id2)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="2"]`)),
	)
	if got := call(t, http.MethodPost, fmt.Sprintf("%s/v1/notifications/%d/read", base, id1), user, nil, nil); got != http.StatusNoContent {
		t.Fatalf("read elsewhere: %d", got)
	}
	b.run("the read elsewhere shows here",
		chromedp.WaitVisible(chromedp.CSS(itemSel(id1)+":not(.unread)")),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="1"]`)),
	)
	if got := call(t, http.MethodPost, fmt.Sprintf("%s/v1/notifications/%d/archive", base, id2), user, nil, nil); got != http.StatusNoContent {
		t.Fatalf("archive elsewhere: %d", got)
	}
	b.run("the archive elsewhere takes the row away and the badge down",
		chromedp.Poll[chromedp.Void](`document.querySelector('`+itemSel(id2)+`') === null`,
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.WaitNotVisible(chromedp.ID("badge")),
	)
	if ids := listedIDs(b); len(ids) != 1 || ids[0] != id1 {
		b.fail("listed %v, want [%d]", ids, id1)
	}
}

package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestInboxSwapsCollapsedRow: three notifications, the first and third with one
// collapseKey. The third arrives live with "replaces": the page puts it in the first's
// row, in place, and the unread badge does not grow for it.
func TestInboxSwapsCollapsedRow(t *testing.T) {
	b := newBrowser(t, 30*time.Second)
	base := startApp(t)
	const user = "7"
	post := func(id, message, collapseKey string) int64 {
		ev := event(user, id, message, base+"/healthz")
		if collapseKey != "" {
			ev["publishInformation"].(map[string]any)["collapseKey"] = collapseKey
		}
		var pub struct {
			NotificationIDs []int64 `json:"notificationIds"`
		}
		if got := call(t, http.MethodPost, base+"/v1/events", "", ev, &pub); got != http.StatusAccepted || len(pub.NotificationIDs) != 1 {
			t.Fatalf("POST %s: %d %v", id, got, pub.NotificationIDs)
		}
		return pub.NotificationIDs[0]
	}
	b.run("sign in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("user-id")),
		chromedp.SendKeys(chromedp.ID("user-id"), user),
		chromedp.Click(chromedp.CSS(`#dev-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
	)
	created := post("order-1002-created", "주문이 완료되었습니다.", "order-1002")
	other := post("question-1", "문의에 답변이 등록되었습니다.", "")
	b.run("see both", chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="2"]`)))
	if ids := listedIDs(b); !slices.Equal(ids, []int64{other, created}) {
		b.fail("listed %v, want %v", ids, []int64{other, created})
	}

	started := post("order-1002-started", "배송이 시작되었습니다.", "order-1002")
	b.run("see the newer take the older's row",
		chromedp.WaitVisible(chromedp.CSS(`#list button.item[data-id="`+itoa(started)+`"]`)))
	if ids := listedIDs(b); !slices.Equal(ids, []int64{other, started}) {
		b.fail("listed %v after the replacement, want %v (swapped in place)", ids, []int64{other, started})
	}
	text := get(b, "read the swapped row", chromedp.Text(chromedp.CSS(`#list button.item[data-id="`+itoa(started)+`"] .msg`)))
	if !strings.Contains(text, "배송이 시작되었습니다.") {
		b.fail("swapped row says %q", text)
	}
	b.run("the badge stays at 2", chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="2"]`)))

	// A reload lists what the server lists: the replaced one is gone there too.
	b.run("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#list button.item[data-id="`+itoa(started)+`"]`)))
	if ids := listedIDs(b); !slices.Equal(ids, []int64{started, other}) {
		b.fail("listed %v after a reload, want %v", ids, []int64{started, other})
	}
	if errs := b.pageErrors(); len(errs) > 0 {
		b.fail("the page logged errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

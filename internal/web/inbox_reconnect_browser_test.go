package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/notifyd/notifyd/internal/testenv"
)

// TestInboxCatchUpAfterReconnect puts a TCP proxy between Chromium and notifyd, cuts every
// connection while the page is live, publishes two notifications while it is cut off, and
// checks that the page's EventSource reconnects by itself with Last-Event-ID and that the
// server's replay shows both exactly once, in order, with the right unread count.
func TestInboxCatchUpAfterReconnect(t *testing.T) {
	b := newBrowser(t, 30*time.Second)
	base := startApp(t)
	p := testenv.StartProxy(t, strings.TrimPrefix(base, "http://"))
	const user = "8"

	b.run("load the page through the proxy and sign in",
		chromedp.Navigate(p.URL()+"/"),
		chromedp.WaitVisible(chromedp.ID("user-id")),
		chromedp.SendKeys(chromedp.ID("user-id"), user),
		chromedp.Click(chromedp.CSS(`#dev-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("empty")),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
	)

	id1 := publish(t, base, event(user, "rc-1", "첫 번째 알림: 주문이 접수되었습니다.", "https://shop.example/orders/1"))
	b.run("see the first notification live",
		chromedp.WaitVisible(chromedp.CSS(itemSel(id1)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="1"]`)),
	)
	seq1 := get(b, "read the first item's seq", chromedp.Evaluate[string](
		fmt.Sprintf(`document.querySelector(%q).closest('li').dataset.seq`, itemSel(id1))))
	streamsBefore := len(streamRequests(p))

	// Cut every connection. The browser's reconnection is held at the proxy (pending,
	// not refused) until both notifications are committed, so they can only reach the
	// page by the server's replay.
	release := p.HoldNew()
	p.Cut()
	b.run("see the page notice the cut",
		chromedp.WaitVisible(chromedp.CSS(`#conn:not([data-state="live"])`)),
	)
	id2 := publish(t, base, event(user, "rc-2", "두 번째 알림: 배송이 시작되었습니다.", "https://shop.example/orders/1"))
	id3 := publish(t, base, event(user, "rc-3", "세 번째 알림: 배송이 완료되었습니다.", "https://shop.example/orders/1"))
	release()

	b.run("see both caught up after the reconnection",
		chromedp.WaitVisible(chromedp.CSS(itemSel(id3)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(itemSel(id2)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="3"]`)),
	)
	if ids := listedIDs(b); !slices.Equal(ids, []int64{id3, id2, id1}) {
		b.fail("listed after the reconnection: %v, want %v (newest first, each once)", ids, []int64{id3, id2, id1})
	}

	// The reconnection was the EventSource's own, with Last-Event-ID = the first seq.
	streams := streamRequests(p)
	if len(streams) <= streamsBefore {
		b.fail("no stream request after the cut (%d before, %d after)", streamsBefore, len(streams))
	}
	if got, ok := headerValue(streams[streamsBefore], "Last-Event-ID"); !ok || got != seq1 {
		b.fail("the reconnecting stream request sent Last-Event-ID %q (present %v), want %q:\n%s", got, ok, seq1, streams[streamsBefore])
	}

	// A fourth notification, live on the new stream, fences the stream: the server writes
	// a user's notifications in seq order, so a duplicate of 2 or 3 would come before it.
	id4 := publish(t, base, event(user, "rc-4", "네 번째 알림: 리뷰를 남겨 주세요.", "https://shop.example/orders/1"))
	b.run("see the fourth live",
		chromedp.WaitVisible(chromedp.CSS(itemSel(id4)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="4"]`)),
	)
	if ids := listedIDs(b); !slices.Equal(ids, []int64{id4, id3, id2, id1}) {
		b.fail("listed after the fourth: %v, want %v", ids, []int64{id4, id3, id2, id1})
	}
	// On the wire too: every notification reached the browser exactly once.
	wire := strings.Join(p.Responses(), "")
	for _, li := range listedSeqs(b) {
		if n := strings.Count(wire, "id: "+li+"\nevent: notification\n"); n != 1 {
			b.fail("notification seq %s was sent to the browser %d times, want 1", li, n)
		}
	}
	if errs := unexpectedErrors(b.pageErrors()); len(errs) > 0 {
		b.fail("the page logged errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

func itemSel(id int64) string { return `#list button.item[data-id="` + itoa(id) + `"]` }

// listedIDs returns the notification ids the page lists, top to bottom.
func listedIDs(b *browser) []int64 {
	b.t.Helper()
	return get(b, "read the listed ids", chromedp.Evaluate[[]int64](
		`[...document.querySelectorAll('#list button.item')].map((e) => Number(e.dataset.id))`))
}

// listedSeqs returns the seqs of the listed notifications, top to bottom.
func listedSeqs(b *browser) []string {
	b.t.Helper()
	return get(b, "read the listed seqs", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#list li')].map((e) => e.dataset.seq)`))
}

// streamRequests returns the heads of the requests for the SSE stream that went through the proxy.
func streamRequests(p *testenv.Proxy) []string {
	var out []string
	for _, sent := range p.Requests() {
		for _, head := range requestHeads(sent) {
			if strings.HasPrefix(head, "GET /v1/notifications/stream?") {
				out = append(out, head)
			}
		}
	}
	return out
}

// unexpectedErrors drops the browser's own log entries about the connections the test
// cut on purpose.
func unexpectedErrors(errs []string) []string {
	var out []string
	for _, e := range errs {
		if strings.Contains(e, "net::ERR_") {
			continue
		}
		out = append(out, e)
	}
	return out
}

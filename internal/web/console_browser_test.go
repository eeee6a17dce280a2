package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/store"
)

const adminToken = "console-admin-token"

// adminPublish posts ev with the admin token.
func adminPublish(t *testing.T, base string, ev map[string]any) {
	t.Helper()
	if got := callWith(t, http.MethodPost, base+"/v1/events", []string{"Authorization", "Bearer " + adminToken}, ev, nil); got != http.StatusAccepted {
		t.Fatalf("POST /v1/events: got %d", got)
	}
}

// consoleShot saves the page at width×height as docs/<name> under
// NOTIFY_UPDATE_SCREENSHOTS=1, then puts the desktop size back.
func consoleShot(b *browser, name string, width, height int64) {
	b.t.Helper()
	if os.Getenv("NOTIFY_UPDATE_SCREENSHOTS") != "1" {
		return
	}
	b.run("resize for "+name, chromedp.EmulateViewport(width, height), chromedp.Sleep(300*time.Millisecond))
	png := get(b, "screenshot "+name, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join("..", "..", "docs", name), png, 0o644); err != nil {
		b.fail("write %s: %v", name, err)
	}
	b.run("back to the desktop size", chromedp.EmulateViewport(1280, 900))
}

// TestConsoleInBrowser walks the console in one page session: a wrong token is refused
// with the sign-in form shown again, the right one signs in (from the keyboard), an event
// published after the page opened appears in the feed, its timeline shows the SMS attempt,
// a user's preference is changed and saved, a template preview counts the SMS bytes and
// shows a sample's validation error next to the field, a rejected message is replayed, and
// the charts draw; axe-core finds no serious violation on the feed, the event and the user.
func TestConsoleInBrowser(t *testing.T) {
	b := newBrowser(t, 120*time.Second)
	var hooks atomic.Int32 // webhook messages received
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hooks.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	cfg := filepath.Join(t.TempDir(), "notify.yaml")
	if err := os.WriteFile(cfg, []byte("webhooks:\n  - url: \""+recv.URL+"/hooks\"\n    secret: \"whsec_c2VjcmV0LWZvci10aGUtb3JkZXItc2VydmljZQ==\"\n    events: [delivery.sent]\n"+consoleKakaoConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := apptest.Start(t, app.Config{AdminToken: adminToken, ConfigFile: cfg, AdFooter: "notifyd 샵 무료수신거부 080-000-0000"})
	base := srv.URL
	adminPublish(t, base, buyerEvent("ORDER_CREATED", "buyer-1", "order-1001", "주문이 완료되었습니다. 김치찌개 외 2건 (32,000원)"))
	adminPublish(t, base, buyerEvent("QUESTION_REGISTERED", "buyer-2", "question-555", "새 문의가 등록되었습니다: 배달 시간을 저녁 7시로 바꿀 수 있을까요?"))
	kakaoReports(t, srv)
	body, _ := json.Marshal(buyerEvent("DELIVERY_STARTED", "buyer-3", "sqs-delivery-9", "배송이 시작되었습니다."))
	rejectedID, err := srv.Store.SaveRejected(context.Background(), store.Rejected{Source: "sqs", Queue: "orders", MessageID: "m-42", Body: string(body), Code: "unavailable", Reason: "the database was unreachable when it arrived"})
	if err != nil {
		t.Fatal(err)
	}

	b.run("open the console: the sign-in form, in the browser's language; ?lang=ko asks for Korean",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/console"),
		poll(`document.querySelector('#token') !== null && document.documentElement.lang === (navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en') && document.querySelector('nav').hidden`),
		chromedp.Navigate(base+"/console?lang=ko"),
		poll(`document.querySelector('#token') !== null && document.querySelector('.signin h1').textContent === '로그인'`),
	)
	consoleShot(b, "console-signin-ko.png", 1280, 560)
	b.run("a wrong token: refused, the form again with the error",
		chromedp.SendKeys(chromedp.ID("token"), "not-the-token"+kb.Enter),
		poll(`document.querySelector('#token-error') && document.querySelector('#token-error').textContent.includes('거부') && document.querySelector('#token') !== null && sessionStorage.length === 0`),
	)
	b.run("the admin token signs in: the feed lists both events, newest first, with their chips",
		chromedp.SendKeys(chromedp.ID("token"), adminToken+kb.Enter),
		poll(`[...document.querySelectorAll('.feed tbody tr')].map((tr) => tr.dataset.event).join() === 'shipped-2,shipped-1,question-555,order-1001'`),
		poll(`document.querySelector('tr[data-event="order-1001"] .chip[data-channel="sms"][data-status="sent"]') !== null`),
	)
	b.run("the AlimTalks' chips: one delivered, one undelivered that fell back to an LMS, which was sent",
		poll(`document.querySelector('tr[data-event="shipped-1"] .chip[data-channel="kakao"][data-status="delivered"]') !== null`),
		poll(`(document.querySelector('tr[data-event="shipped-2"] .chip[data-channel="kakao"][data-status="undelivered"][data-fallback="lms"]') || {}).textContent === 'kakao · 전달 실패 · LMS로 대체 발송'`),
		poll(`document.querySelector('tr[data-event="shipped-2"] .chip[data-channel="sms"][data-status="sent"]') !== null`),
	)

	adminPublish(t, base, buyerEvent("DELIVERY_STARTED", "buyer-1", "delivery-1001", "주문하신 상품의 배송이 시작되었습니다. 송장번호 1234-5678"))
	b.run("an event published after the page opened appears at the top, announced",
		poll(`document.querySelector('.feed tbody tr').dataset.event === 'delivery-1001'`),
		poll(`document.querySelector('#announce').textContent.includes('delivery-1001')`),
		poll(`document.querySelector('tr[data-event="delivery-1001"] .chip[data-channel="sms"][data-status="sent"]') !== null`),
	)
	if vs := axeViolationsIn(b, "document"); len(vs) > 0 {
		b.fail("axe-core on the feed:\n  %s", strings.Join(vs, "\n  "))
	}
	consoleShot(b, "console-activity-ko.png", 1280, 640)
	consoleShot(b, "console-activity-360.png", 360, 1150)

	b.run("filters: a bad one is refused by the API; by user, the feed shows that user's events",
		chromedp.SetValue(chromedp.ID("f-user"), "buyer-2"),
		chromedp.Click(chromedp.CSS(`.filters button[type=submit]`)),
		poll(`[...document.querySelectorAll('.feed tbody tr')].map((tr) => tr.dataset.event).join() === 'question-555'`),
	)

	b.run("open the new event's timeline: accepted over HTTP, the notification, the SMS attempt with its provider",
		chromedp.Evaluate[chromedp.Void](`location.hash = '#/event/delivery-1001'`),
		poll(`document.querySelector('h1.evid') && document.querySelector('h1.evid').textContent === 'delivery-1001'`),
		poll(`[...document.querySelectorAll('.timeline li')].map((li) => li.dataset.kind).join() === 'accepted,notification,attempt'`),
		poll(`document.querySelector('.tl-accepted').textContent.includes('http') && document.querySelector('.tl-attempt').textContent.includes('log')`),
	)
	if vs := axeViolationsIn(b, "document"); len(vs) > 0 {
		b.fail("axe-core on the event:\n  %s", strings.Join(vs, "\n  "))
	}
	b.run("switch to English", chromedp.Click(chromedp.CSS(`.lang`)),
		poll(`document.documentElement.lang === 'en' && document.querySelector('.timeline li').textContent.includes('Accepted from http')`))
	consoleShot(b, "console-event-en.png", 1280, 820)

	later := buyerEvent("ORDER_CREATED", "buyer-1", "order-1002-later", "내일 아침에 보낼 알림")
	later["publishInformation"].(map[string]any)["sendAt"] = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	adminPublish(t, base, later)
	b.run("a scheduled event: cancel what has not gone out",
		chromedp.Evaluate[chromedp.Void](`location.hash = '#/event/order-1002-later'`),
		poll(`document.querySelector('.tl-scheduled') !== null && document.querySelector('button.danger') !== null`),
		chromedp.Click(chromedp.CSS(`button.danger`)),
		poll(`document.querySelector('.tl-scheduled') && document.querySelector('.tl-scheduled').textContent.includes('cancelled') && document.querySelector('button.danger') === null`),
	)

	admin := []string{"Authorization", "Bearer " + adminToken}
	if got := callWith(t, http.MethodPost, base+"/v1/users/buyer-1/devices", admin, map[string]any{"platform": "fcm", "token": strings.Repeat("fcm-token-", 5), "locale": "ko"}, nil); got/100 != 2 {
		t.Fatalf("POST a device: %d", got)
	}
	if got := callWith(t, http.MethodPut, base+"/v1/topics/restock-88/subscribers/buyer-1", admin, map[string]any{"once": true}, nil); got/100 != 2 {
		t.Fatalf("PUT a topic subscriber: %d", got)
	}
	b.run("find a user and turn their SMS off",
		chromedp.Click(chromedp.CSS(`nav a[href="#/user"]`)),
		poll(`document.querySelector('#u-id') !== null`),
		chromedp.SendKeys(chromedp.ID("u-id"), "buyer-1"+kb.Enter),
		poll(`document.querySelector('#p-ch_sms') !== null && document.querySelector('.inbox li') !== null`),
		poll(`document.body.textContent.includes('fcm · ko') && document.body.textContent.includes('restock-88')`),
		chromedp.Click(chromedp.ID("p-ch_sms")),
		chromedp.Click(chromedp.CSS(`form.prefs button[type=submit]`)),
		poll(`document.querySelector('form.prefs [role=status]').textContent === 'Saved.'`),
	)
	var prefs struct {
		Channels map[string]bool `json:"channels"`
	}
	if got := callWith(t, http.MethodGet, base+"/v1/users/buyer-1/preferences", []string{"Authorization", "Bearer " + adminToken}, nil, &prefs); got != http.StatusOK || prefs.Channels["sms"] {
		b.fail("after saving: GET preferences %d %+v, want sms off", got, prefs.Channels)
	}
	if vs := axeViolationsIn(b, "document"); len(vs) > 0 {
		b.fail("axe-core on the user:\n  %s", strings.Join(vs, "\n  "))
	}
	consoleShot(b, "console-user-en.png", 1280, 1300)

	b.run("preview a template: the sample's SMS is 90 bytes, an SMS; one more character makes it an LMS",
		chromedp.Click(chromedp.CSS(`nav a[href="#/templates"]`)),
		poll(`document.querySelector('#pv-event') !== null`),
		chromedp.Click(chromedp.CSS(`form.preview button[type=submit]`)),
		poll(`document.querySelector('.pv-bytes') && document.querySelector('.pv-bytes').dataset.bytes === '90' && document.querySelector('.pv-kind').textContent === 'goes as SMS'`),
		poll(`document.querySelector('iframe.pv-email') !== null && document.querySelector('iframe.pv-email').getAttribute('sandbox') === ''`),
	)
	b.run("preview the AlimTalk type: the template check passes, the LMS fallback is 92 bytes",
		chromedp.SetValue(chromedp.ID("pv-type"), "SHIPPED_KAKAO"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#pv-type').dispatchEvent(new Event('change'))`),
		chromedp.Click(chromedp.CSS(`form.preview button[type=submit]`)),
		poll(`document.querySelector('.pv-check') && document.querySelector('.pv-check').dataset.ok === 'true' && document.querySelector('.pv-template').textContent === 'TPL_SHIPPED'`),
		poll(`document.querySelector('.pv-kakao').textContent === '김민수님, 주문하신 상품이 출발했습니다.\n송장번호: 1234-5678' && document.querySelector('.pv-buttons').textContent.includes('https://shop.example/orders/1001')`),
		poll(`document.querySelector('.pv-fb-bytes').dataset.bytes === '92' && document.querySelector('.pv-fb-kind').textContent === 'goes as LMS'`),
		poll(`document.querySelector('.unrouted[data-channel="sms"]') !== null && document.querySelector('.unrouted[data-channel="email"]') !== null`),
	)
	consoleShot(b, "console-templates-en.png", 1280, 1250)
	b.run("without buyerName the template check fails, naming #{고객명}",
		chromedp.Evaluate[chromedp.Void](`{ const a = document.querySelector('#pv-event'); const ev = JSON.parse(a.value); delete ev.publishInformation.data.buyerName; a.value = JSON.stringify(ev, null, 2); }`),
		chromedp.Click(chromedp.CSS(`form.preview button[type=submit]`)),
		poll(`document.querySelector('.pv-check').dataset.ok === 'false' && document.querySelector('.pv-check').textContent.includes('#{고객명} is empty') && document.querySelector('.pv-fb-bytes') === null`),
	)
	b.run("an advertisement: its SMS as sent, with (광고) and the footer, 57 bytes",
		chromedp.SetValue(chromedp.ID("pv-type"), "EVENT_PROMOTION"),
		chromedp.Evaluate[chromedp.Void](`{ const a = document.querySelector('#pv-event'); const ev = JSON.parse(a.value); ev.publishInformation.notificationType = 'EVENT_PROMOTION'; ev.publishInformation.message = '겨울 세일 30%'; delete ev.publishInformation.url; a.value = JSON.stringify(ev, null, 2); }`),
		chromedp.Click(chromedp.CSS(`form.preview button[type=submit]`)),
		poll(`document.querySelector('.pv-sms').textContent === '(광고) 겨울 세일 30%\nnotifyd 샵 무료수신거부 080-000-0000' && document.querySelector('.pv-bytes').dataset.bytes === '57' && document.querySelector('.pv-ad') !== null`),
		poll(`document.querySelector('.pv-mobile').textContent.startsWith('(광고) ') && document.querySelector('.pv-kakao') === null`),
	)
	b.run("back to the AlimTalk in Korean, at 360 px",
		chromedp.Click(chromedp.CSS(`.lang`)),
		poll(`document.documentElement.lang === 'ko' && document.querySelector('#pv-type') !== null`),
		chromedp.SetValue(chromedp.ID("pv-type"), "SHIPPED_KAKAO"),
		chromedp.Evaluate[chromedp.Void](`{ const a = document.querySelector('#pv-event'); const ev = JSON.parse(a.value); ev.publishInformation.notificationType = 'SHIPPED_KAKAO'; ev.publishInformation.url = 'https://shop.example/orders/1001'; ev.publishInformation.message = '주문하신 상품이 출발했습니다.'; ev.publishInformation.data = { orderId: 1001, buyerName: '김민수', invoiceNo: '1234-5678' }; a.value = JSON.stringify(ev, null, 2); }`),
		chromedp.Click(chromedp.CSS(`form.preview button[type=submit]`)),
		poll(`document.querySelector('.pv-check') && document.querySelector('.pv-check').dataset.ok === 'true' && document.querySelector('.pv-fb-kind').textContent === 'LMS(으)로 발송'`),
	)
	if vs := axeViolationsIn(b, "document"); len(vs) > 0 {
		b.fail("axe-core on the AlimTalk preview:\n  %s", strings.Join(vs, "\n  "))
	}
	consoleShot(b, "console-templates-360.png", 360, 1500)
	b.run("the default type again, in English",
		chromedp.Click(chromedp.CSS(`.lang`)),
		poll(`document.documentElement.lang === 'en' && document.querySelector('#pv-type') !== null`),
		chromedp.Click(chromedp.CSS(`form.preview button[type=submit]`)),
		poll(`document.querySelector('.pv-bytes') && document.querySelector('.pv-bytes').dataset.bytes === '90'`),
	)
	b.run("one byte more is an LMS",
		chromedp.Evaluate[chromedp.Void](`{ const a = document.querySelector('#pv-event'); const ev = JSON.parse(a.value); ev.publishInformation.message += '!'; a.value = JSON.stringify(ev); }`),
		chromedp.Click(chromedp.CSS(`form.preview button[type=submit]`)),
		poll(`document.querySelector('.pv-bytes').dataset.bytes === '91' && document.querySelector('.pv-kind').textContent === 'goes as LMS'`),
	)
	b.run("a sample without recipients: the API's error next to the field, nothing rendered",
		chromedp.Evaluate[chromedp.Void](`{ const a = document.querySelector('#pv-event'); const ev = JSON.parse(a.value); ev.whoToNotify = []; a.value = JSON.stringify(ev); }`),
		chromedp.Click(chromedp.CSS(`form.preview button[type=submit]`)),
		poll(`document.querySelector('#pv-error').textContent.startsWith('event.whoToNotify') && document.querySelector('#pv-event').getAttribute('aria-invalid') === 'true' && document.querySelector('.pv-bytes') === null`),
	)

	b.eventually("the delivery.sent webhooks to reach the receiver", func() bool { return hooks.Load() >= 3 })
	b.run("replay the rejected message",
		chromedp.Click(chromedp.CSS(`nav a[href="#/outbox"]`)),
		poll(`document.querySelector('tr[data-id="`+itoa(rejectedID)+`"] button') !== null`),
		poll(`document.querySelectorAll('.chip[data-status="delivered"]').length >= 3`),
	)
	consoleShot(b, "console-outbox-en.png", 1280, 560)
	b.run("click replay",
		chromedp.Click(chromedp.CSS(`tr[data-id="`+itoa(rejectedID)+`"] button`)),
		poll(`document.querySelector('tr[data-id="`+itoa(rejectedID)+`"] [role=status]').textContent === 'Replayed as sqs-delivery-9.'`),
	)
	before := hooks.Load()
	b.run("send a delivered webhook message again",
		chromedp.Click(chromedp.CSS(`tr:has(.chip[data-status="delivered"]) button`)),
		poll(`document.querySelector('tr:has(.chip[data-status="delivered"]) [role=status]').textContent === 'Queued again.'`),
	)
	b.eventually("the replayed webhook to reach the receiver", func() bool { return hooks.Load() > before })
	if rj, err := srv.Store.GetRejected(context.Background(), rejectedID); err != nil || rj.Status != store.RejectedReplayed || rj.EventKey != "sqs-delivery-9" {
		b.fail("after the replay the store has %+v, %v", rj, err)
	}

	b.run("the charts draw the events and the SMS outcomes, back in Korean",
		chromedp.Click(chromedp.CSS(`.lang`)),
		chromedp.Click(chromedp.CSS(`nav a[href="#/charts"]`)),
		poll(`document.querySelectorAll('rect.bar-events').length > 0 && document.querySelector('rect.st-sent') !== null && document.querySelectorAll('polyline.p50').length === 1`),
		poll(`document.querySelector('rect.st-delivered') !== null && document.querySelector('rect.st-undelivered') !== null && document.querySelector('svg.outcomes').textContent.includes('kakao · 결과 보고')`),
		poll(`document.querySelectorAll('rect.fb-lms').length === 1 && document.querySelector('.legend .fb-lms') !== null && document.querySelectorAll('.chart .empty').length === 0`),
	)
	consoleShot(b, "console-charts-ko.png", 1280, 760)
	consoleShot(b, "console-charts-360.png", 360, 1100)
	b.run("the charts in English", chromedp.Click(chromedp.CSS(`.lang`)),
		poll(`document.documentElement.lang === 'en' && document.querySelector('svg.outcomes') !== null && document.querySelector('svg.outcomes').textContent.includes('kakao · reports')`))
	consoleShot(b, "console-charts-en.png", 1280, 760)
	// The answers the walk asked for: the wrong token's 401, the failing sample's 400, and
	// the 404 of a user with no profile.
	expected := []string{"401 (Unauthorized) " + base + "/v1/events?limit=1", "400 (Bad Request) " + base + "/v1/admin/preview", "404 (Not Found) " + base + "/v1/users/buyer-1"}
	for _, e := range b.pageErrors() {
		if !slices.ContainsFunc(expected, func(x string) bool { return strings.HasSuffix(e, x) }) {
			b.fail("page error: %s", e)
		}
	}
}

// consoleKakaoConfig adds an AlimTalk type and an advertising type to the walk's server.
const consoleKakaoConfig = `alimtalk:
  TPL_SHIPPED:
    text: "#{고객명}님, 주문하신 상품이 출발했습니다.\n송장번호: #{송장번호}"
    buttons: [{type: WL, name: "배송 조회", url: "{{.url}}"}]
types:
  SHIPPED_KAKAO:
    channels: {CUSTOMER: [inbox, kakao]}
    kakao: {template: TPL_SHIPPED, variables: {"고객명": "{{.buyerName}}", "송장번호": "{{.invoiceNo}}"}}
  EVENT_PROMOTION:
    advertising: true
    channels: {CUSTOMER: [inbox, sms]}
`

// kakaoReports sends two AlimTalks (the log provider) and has their reports come back as a
// provider's would be stored: shipped-1 delivered, shipped-2 undelivered (3019, not a
// KakaoTalk user), which falls back to an LMS that the SMS channel then sends.
func kakaoReports(t *testing.T, srv *apptest.Server) {
	t.Helper()
	ctx := context.Background()
	sent := map[string]notify.Delivery{}
	for i, id := range []string{"shipped-1", "shipped-2"} {
		ev := buyerEvent("SHIPPED_KAKAO", "buyer-"+itoa(int64(4+i)), id, "주문하신 상품이 출발했습니다.")
		pi := ev["publishInformation"].(map[string]any)
		pi["data"], pi["url"] = map[string]any{"buyerName": "김민수", "invoiceNo": "1234-567" + itoa(int64(i))}, "https://shop.example/orders/1001"
		adminPublish(t, srv.URL, ev)
		apptest.Eventually(t, id+"'s AlimTalk to be sent", func() bool {
			st, err := srv.Store.EventStatus(ctx, id)
			if err != nil || len(st.Recipients) != 1 {
				return false
			}
			for _, d := range st.Recipients[0].Deliveries {
				if d.Channel == notify.ChannelKakao && d.Status == notify.StatusSent {
					sent[id] = d
					return true
				}
			}
			return false
		})
	}
	for id, status := range map[string]notify.DeliveryStatus{"shipped-1": notify.StatusDelivered, "shipped-2": notify.StatusUndelivered} {
		r := store.Report{Provider: sent[id].Provider, MessageID: sent[id].ProviderID, Status: status, Code: "1000"}
		if status == notify.StatusUndelivered {
			r.Code, r.Detail, r.Refused = "3019", "not a KakaoTalk user", true
		}
		if res, err := srv.Store.ApplyReport(ctx, r); err != nil || res.DeliveryID == 0 {
			t.Fatalf("report on %s: %+v, %v", id, res, err)
		}
	}
}

package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

const sampleDir = "../../examples/events/"

type accepted struct {
	EventID         string  `json:"eventId"`
	Duplicate       bool    `json:"duplicate"`
	NotificationIDs []int64 `json:"notificationIds"`
}

type view struct {
	ID      int64  `json:"id"`
	Seq     int64  `json:"seq"`
	EventID string `json:"eventId"`
	Type    string `json:"type"`
	Message string `json:"message"`
	URL     string `json:"url"`
	Read    bool   `json:"read"`
}

// smsCounter is an httptest.Server behind the webhook provider that counts each delivery.
type smsCounter struct {
	*httptest.Server
	mu      sync.Mutex
	byKey   map[string]int
	total   atomic.Int64
	failing atomic.Int64 // answer 503 to this many more calls
}

func newSMSCounter(t *testing.T) *smsCounter {
	c := &smsCounter{byKey: map[string]int{}}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if c.failing.Add(-1) >= 0 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		c.mu.Lock()
		c.byKey[r.Header.Get("Idempotency-Key")]++
		c.mu.Unlock()
		c.total.Add(1)
		fmt.Fprintf(w, `{"id":"sms-%d"}`, c.total.Load())
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *smsCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.byKey {
		out[k] = v
	}
	return out
}

// The whole path a user sees: ingest → live push → list → unread count → mark read.
func TestIngestStreamInbox(t *testing.T) {
	sms := newSMSCounter(t)
	s := startApp(t, app.Config{SMSProvider: "webhook", SMSWebhookURL: sms.URL})
	st := openStream(t, s.URL+"/v1/notifications/stream", "X-User-Id", "7")

	r := do(t, "POST", s.URL+"/v1/events", readFile(t, sampleDir+"delivery-started.json"))
	if r.Status != http.StatusAccepted {
		t.Fatalf("POST: %d %s", r.Status, r.Body)
	}
	var acc accepted
	r.decode(t, &acc)
	if acc.EventID != "order-1001-delivery-started" || acc.Duplicate || len(acc.NotificationIDs) != 1 {
		t.Fatalf("accepted = %+v", acc)
	}

	ev := st.next(t)
	var v view
	if err := json.Unmarshal([]byte(ev.Data), &v); err != nil {
		t.Fatal(err)
	}
	if ev.Event != "notification" || ev.ID != "1" || v.ID != acc.NotificationIDs[0] || v.Seq != 1 ||
		v.Message != "배송이 시작되었습니다." || v.URL != "https://mypage/orders/1001" || v.Read {
		t.Fatalf("SSE event %+v / %+v", ev, v)
	}

	// The templated sample: string userId, lower-case role, message and url rendered.
	if r := do(t, "POST", s.URL+"/v1/events", readFile(t, sampleDir+"delivery-completed-templated.json")); r.Status != http.StatusAccepted {
		t.Fatalf("templated POST: %d %s", r.Status, r.Body)
	}
	ev = st.next(t)
	json.Unmarshal([]byte(ev.Data), &v)
	if ev.ID != "2" || v.Message != "배송이 완료되었습니다." || v.URL != "https://mypage/orders/1001" {
		t.Fatalf("templated event %+v", v)
	}

	var list struct {
		Notifications []view `json:"notifications"`
		NextCursor    string `json:"nextCursor"`
	}
	do(t, "GET", s.URL+"/v1/notifications?limit=1", nil, "X-User-Id", "7").decode(t, &list)
	if len(list.Notifications) != 1 || list.Notifications[0].Seq != 2 || list.NextCursor == "" {
		t.Fatalf("page 1 = %+v", list)
	}
	cursor := list.NextCursor
	list.NextCursor = ""
	do(t, "GET", s.URL+"/v1/notifications?limit=1&cursor="+cursor, nil, "X-User-Id", "7").decode(t, &list)
	if len(list.Notifications) != 1 || list.Notifications[0].Seq != 1 || list.NextCursor != "" {
		t.Fatalf("page 2 = %+v", list)
	}

	var count struct{ Count int }
	do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "X-User-Id", "7").decode(t, &count)
	if count.Count != 2 {
		t.Fatalf("unread = %d, want 2", count.Count)
	}
	if r := do(t, "POST", s.URL+"/v1/notifications/"+strconv.FormatInt(acc.NotificationIDs[0], 10)+"/read", nil, "X-User-Id", "7"); r.Status != http.StatusNoContent {
		t.Fatalf("mark read: %d %s", r.Status, r.Body)
	}
	do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "X-User-Id", "7").decode(t, &count)
	if count.Count != 1 {
		t.Fatalf("unread after mark = %d, want 1", count.Count)
	}
	var all struct{ Marked int }
	do(t, "POST", s.URL+"/v1/notifications/read-all", nil, "X-User-Id", "7").decode(t, &all)
	do(t, "GET", s.URL+"/v1/notifications/unread-count", nil, "X-User-Id", "7").decode(t, &count)
	if all.Marked != 1 || count.Count != 0 {
		t.Fatalf("read-all marked %d, unread now %d", all.Marked, count.Count)
	}
	apptest.Eventually(t, "two SMS", func() bool { return sms.total.Load() == 2 })

	// Another user sees none of it, and cannot mark it.
	do(t, "GET", s.URL+"/v1/notifications", nil, "X-User-Id", "8").decode(t, &list)
	if len(list.Notifications) != 0 {
		t.Fatalf("user 8 sees %+v", list.Notifications)
	}
	if r := do(t, "POST", s.URL+"/v1/notifications/"+strconv.FormatInt(acc.NotificationIDs[0], 10)+"/read", nil, "X-User-Id", "8"); r.Status != http.StatusNotFound {
		t.Fatalf("user 8 marking user 7's notification: %d", r.Status)
	}
}

// The same event key posted twice and ten times at once: one notification, one SSE push
// and one SMS.
func TestSameKeyOnce(t *testing.T) {
	sms := newSMSCounter(t)
	s := startApp(t, app.Config{SMSProvider: "webhook", SMSWebhookURL: sms.URL})
	st := openStream(t, s.URL+"/v1/notifications/stream", "X-User-Id", "7")
	body := readFile(t, sampleDir+"delivery-started.json")

	first := do(t, "POST", s.URL+"/v1/events", body)
	if first.Status != http.StatusAccepted {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	var a1 accepted
	first.decode(t, &a1)
	second := do(t, "POST", s.URL+"/v1/events", body)
	var a2 accepted
	second.decode(t, &a2)
	if second.Status != http.StatusOK || !a2.Duplicate || a2.NotificationIDs[0] != a1.NotificationIDs[0] {
		t.Fatalf("replay: %d %+v, want 200 with %v", second.Status, a2, a1.NotificationIDs)
	}

	var wg sync.WaitGroup
	statuses := make([]int, 10)
	ids := make([]int64, 10)
	for i := range 10 {
		wg.Go(func() {
			// Same event via a new key in the header only: eventId wins, so these replay too.
			r := do(t, "POST", s.URL+"/v1/events", body, "Idempotency-Key", "ignored-"+strconv.Itoa(i))
			var a accepted
			json.Unmarshal(r.Body, &a)
			statuses[i] = r.Status
			if len(a.NotificationIDs) == 1 {
				ids[i] = a.NotificationIDs[0]
			}
		})
	}
	wg.Wait()
	for i := range 10 {
		if statuses[i] != http.StatusOK || ids[i] != a1.NotificationIDs[0] {
			t.Fatalf("concurrent replay %d: %d id %d", i, statuses[i], ids[i])
		}
	}

	// Concurrent first acceptance of a new key: exactly one 202.
	fresh := []byte(`{"whoToNotify":{"userId":7,"role":"CUSTOMER","phoneNumber":"+821012345678"},
		"publishInformation":{"notificationType":"ORDER_CREATED","eventId":"order-2002-created","data":{"orderId":2002}}}`)
	var created atomic.Int64
	for range 10 {
		wg.Go(func() {
			if r := do(t, "POST", s.URL+"/v1/events", fresh); r.Status == http.StatusAccepted {
				created.Add(1)
			} else if r.Status != http.StatusOK {
				t.Errorf("concurrent first post: %d %s", r.Status, r.Body)
			}
		})
	}
	wg.Wait()
	if created.Load() != 1 {
		t.Fatalf("%d concurrent posts of a new key answered 202, want 1", created.Load())
	}

	if ev := st.next(t); ev.ID != "1" {
		t.Fatalf("first push id %s", ev.ID)
	}
	if ev := st.next(t); ev.ID != "2" {
		t.Fatalf("second push id %s", ev.ID)
	}
	st.quiet(t, 300*time.Millisecond)
	apptest.Eventually(t, "two SMS", func() bool { return sms.total.Load() == 2 })
	// Not a pause for a wrong second send to show up: once both are recorded sent, no
	// worker claims them again, so the counts below are final.
	apptest.Eventually(t, "both SMS recorded sent", func() bool {
		return smsSent(t, s.URL, "order-1001-delivery-started", "order-2002-created")
	})
	for k, n := range sms.counts() {
		if n != 1 {
			t.Fatalf("SMS %s sent %d times", k, n)
		}
	}
	if sms.total.Load() != 2 {
		t.Fatalf("%d SMS sent, want 2", sms.total.Load())
	}

	// Same key, different payload: 422, nothing changes.
	other := []byte(`{"whoToNotify":{"userId":7,"role":"CUSTOMER"},"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"다른 내용","url":"https://mypage/x","eventId":"order-1001-delivery-started"}}`)
	if r := do(t, "POST", s.URL+"/v1/events", other); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("reused key with another payload: %d %s", r.Status, r.Body)
	}
}

// A client that reconnects with Last-Event-ID gets exactly what it missed.
func TestReconnectWithLastEventID(t *testing.T) {
	s := startApp(t, app.Config{})
	post := func(i int) {
		body := fmt.Sprintf(`{"whoToNotify":{"userId":"u1","role":"OWNER"},"publishInformation":{"notificationType":"QUESTION_REGISTERED","message":"문의 %d","url":"https://store/1/questions/%d","eventId":"q-%d"}}`, i, i, i)
		if r := do(t, "POST", s.URL+"/v1/events", []byte(body)); r.Status != http.StatusAccepted {
			t.Fatalf("post %d: %d %s", i, r.Status, r.Body)
		}
	}
	st := openStream(t, s.URL+"/v1/notifications/stream?user=u1")
	post(1)
	post(2)
	if ev := st.next(t); ev.ID != "1" {
		t.Fatalf("got id %s", ev.ID)
	}
	last := st.next(t).ID
	st.Close()
	post(3)
	post(4)
	post(5)

	st2 := openStream(t, s.URL+"/v1/notifications/stream?user=u1", "Last-Event-ID", last)
	for want := 3; want <= 5; want++ {
		if ev := st2.next(t); ev.ID != strconv.Itoa(want) {
			t.Fatalf("replayed id %s, want %d", ev.ID, want)
		}
	}
	post(6)
	if ev := st2.next(t); ev.ID != "6" {
		t.Fatalf("live id after replay %s, want 6", ev.ID)
	}
	st2.quiet(t, 200*time.Millisecond)

	// lastEventId as a query parameter works too; an id beyond the newest is clamped.
	st3 := openStream(t, s.URL+"/v1/notifications/stream?user=u1&lastEventId=4")
	if ev := st3.next(t); ev.ID != "5" {
		t.Fatalf("query lastEventId: got %s, want 5", ev.ID)
	}
	st4 := openStream(t, s.URL+"/v1/notifications/stream?user=u1", "Last-Event-ID", "999")
	post(7)
	if ev := st4.next(t); ev.ID != "7" {
		t.Fatalf("after a forged high id: got %s, want 7", ev.ID)
	}
	if r := do(t, "GET", s.URL+"/v1/notifications/stream?user=u1", nil, "Last-Event-ID", "abc"); r.Status != http.StatusBadRequest {
		t.Fatalf("bad Last-Event-ID: %d", r.Status)
	}
}

// A restart on the same SQLite file loses nothing, and SMS still pending when the first
// process stopped go out exactly once after the restart.
func TestRestartKeepsEverything(t *testing.T) {
	sms := newSMSCounter(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "notify.db")
	sms.failing.Store(1 << 30) // the provider is down while the first process runs
	s1 := startApp(t, app.Config{DatabaseURL: db, SMSProvider: "webhook", SMSWebhookURL: sms.URL, DeliveryBackoff: 50 * time.Millisecond})
	for i := range 5 {
		body := fmt.Sprintf(`{"whoToNotify":{"userId":9,"role":"CUSTOMER","phoneNumber":"+821011112222"},"publishInformation":{"notificationType":"ORDER_CREATED","eventId":"restart-%d","data":{"orderId":%d}}}`, i, i)
		if r := do(t, "POST", s1.URL+"/v1/events", []byte(body)); r.Status != http.StatusAccepted {
			t.Fatalf("post: %d %s", r.Status, r.Body)
		}
	}
	s1.stop()
	if sms.total.Load() != 0 {
		t.Fatalf("%d SMS sent while the provider was failing", sms.total.Load())
	}

	sms.failing.Store(0)
	s2 := startApp(t, app.Config{DatabaseURL: db, SMSProvider: "webhook", SMSWebhookURL: sms.URL, DeliveryBackoff: 50 * time.Millisecond})
	var list struct{ Notifications []view }
	do(t, "GET", s2.URL+"/v1/notifications?limit=100", nil, "X-User-Id", "9").decode(t, &list)
	if len(list.Notifications) != 5 {
		t.Fatalf("after restart user 9 has %d notifications, want 5", len(list.Notifications))
	}
	apptest.Eventually(t, "5 SMS after restart", func() bool { return sms.total.Load() == 5 })
	apptest.Eventually(t, "the 5 SMS recorded sent (no worker sends them again)", func() bool {
		return smsSent(t, s2.URL, "restart-0", "restart-1", "restart-2", "restart-3", "restart-4")
	})
	if sms.total.Load() != 5 {
		t.Fatalf("%d SMS, want 5", sms.total.Load())
	}
	for k, n := range sms.counts() {
		if n != 1 {
			t.Fatalf("SMS %s sent %d times", k, n)
		}
	}
	st := openStream(t, s2.URL+"/v1/notifications/stream?user=9", "Last-Event-ID", "3")
	if ev := st.next(t); ev.ID != "4" {
		t.Fatalf("replay after restart: %s", ev.ID)
	}
}

// smsSent reports whether every SMS delivery of the events is recorded sent: from then on
// no delivery worker claims it again.
func smsSent(t *testing.T, url string, ids ...string) bool {
	t.Helper()
	for _, id := range ids {
		var st struct {
			Recipients []struct {
				Channels []struct{ Channel, Status string }
			}
		}
		if err := json.Unmarshal(do(t, "GET", url+"/v1/events/"+id, nil).Body, &st); err != nil {
			return false
		}
		n := 0
		for _, r := range st.Recipients {
			for _, c := range r.Channels {
				if c.Channel != "sms" {
					continue
				}
				if c.Status != "sent" {
					return false
				}
				n++
			}
		}
		if n == 0 {
			return false
		}
	}
	return true
}

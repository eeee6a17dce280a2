package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

type client struct {
	t    *testing.T
	base string
}

// do sends a request as user (dev auth) with extra headers, decoding JSON into out.
func (c client) do(method, path, user string, body any, out any, header ...string) *http.Response {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("X-User-Id", user)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			c.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return res
}

func (c client) publish(user, typ, key string) int64 {
	c.t.Helper()
	var pub struct {
		NotificationIDs []int64 `json:"notificationIds"`
	}
	ev := map[string]any{
		"whoToNotify":        map[string]any{"userId": user, "role": "OWNER"},
		"publishInformation": map[string]any{"notificationType": typ, "message": "새 문의가 등록되었습니다.", "url": "https://store/1", "eventId": key},
	}
	if res := c.do("POST", "/v1/events", "", ev, &pub); res.StatusCode != http.StatusAccepted || len(pub.NotificationIDs) != 1 {
		c.t.Fatalf("publish: %d %v", res.StatusCode, pub.NotificationIDs)
	}
	return pub.NotificationIDs[0]
}

type view struct {
	ID         int64      `json:"id"`
	Seq        int64      `json:"seq"`
	Read       bool       `json:"read"`
	ReadAt     *time.Time `json:"readAt"`
	SeenAt     *time.Time `json:"seenAt"`
	ArchivedAt *time.Time `json:"archivedAt"`
}

func (c client) ids(user, query string) []int64 {
	c.t.Helper()
	var page struct {
		Notifications []view `json:"notifications"`
	}
	if res := c.do("GET", "/v1/notifications?"+query, user, nil, &page); res.StatusCode != http.StatusOK {
		c.t.Fatalf("list %s: %d", query, res.StatusCode)
	}
	out := []int64{}
	for _, v := range page.Notifications {
		out = append(out, v.ID)
	}
	return out
}

func (c client) counts(user string) (count, unseen int) {
	c.t.Helper()
	var got struct{ Count, Unseen int }
	c.do("GET", "/v1/notifications/unread-count", user, nil, &got)
	return got.Count, got.Unseen
}

func same(t *testing.T, what string, got []int64, want ...int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}

// TestInboxStates drives every state route and list filter through the real server.
func TestInboxStates(t *testing.T) {
	c := client{t, apptest.Start(t, app.Config{}).URL}
	a1 := c.publish("ann", "ORDER_CREATED", "s1")
	a2 := c.publish("ann", "QUESTION_REGISTERED", "s2")
	a3 := c.publish("ann", "ORDER_CREATED", "s3")
	bob := c.publish("bob", "ORDER_CREATED", "s4")

	if n, u := c.counts("ann"); n != 3 || u != 3 {
		t.Fatalf("counts = %d, %d; want 3 unread, 3 unseen", n, u)
	}
	var marked struct{ Marked int }
	c.do("POST", "/v1/notifications/seen", "ann", nil, &marked)
	if n, u := c.counts("ann"); marked.Marked != 3 || n != 3 || u != 0 {
		t.Fatalf("after seen: marked %d, counts %d, %d; want 3, 3 unread, 0 unseen", marked.Marked, n, u)
	}
	c.do("POST", "/v1/notifications/read-all?type=ORDER_CREATED", "ann", nil, &marked)
	if marked.Marked != 2 {
		t.Fatalf("read-all ORDER_CREATED marked %d, want 2", marked.Marked)
	}
	same(t, "unread", c.ids("ann", "status=unread"), a2)
	same(t, "read", c.ids("ann", "status=read"), a3, a1)
	if res := c.do("POST", fmt.Sprintf("/v1/notifications/%d/archive", a3), "ann", nil, nil); res.StatusCode != http.StatusNoContent {
		t.Fatalf("archive: %d", res.StatusCode)
	}
	same(t, "default list", c.ids("ann", ""), a2, a1)
	same(t, "archived only", c.ids("ann", "archived=only"), a3)
	same(t, "archived included", c.ids("ann", "archived=include"), a3, a2, a1)
	same(t, "of a type", c.ids("ann", "type=QUESTION_REGISTERED"), a2)
	same(t, "paged", c.ids("ann", "archived=include&limit=1&cursor=3"), a2)
	if res := c.do("POST", fmt.Sprintf("/v1/notifications/%d/archive", bob), "ann", nil, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("archiving bob's as ann: %d, want 404", res.StatusCode)
	}
	if res := c.do("POST", fmt.Sprintf("/v1/notifications/%d/unarchive", a3), "ann", nil, nil); res.StatusCode != http.StatusNoContent {
		t.Fatalf("unarchive: %d", res.StatusCode)
	}
	same(t, "after unarchive", c.ids("ann", ""), a3, a2, a1)
	for _, q := range []string{"status=new", "archived=yes", "type=" + strings.Repeat("x", 129)} {
		if res := c.do("GET", "/v1/notifications?"+q, "ann", nil, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("GET ?%.20s: %d, want 400", q, res.StatusCode)
		}
	}
	if n, u := c.counts("bob"); n != 1 || u != 1 {
		t.Fatalf("bob touched by ann: %d, %d", n, u)
	}
}

// TestStateEventsReachOtherStreams: a change made through the API reaches the user's open
// stream as an id-less "state" event, and the next notification keeps its sequence.
func TestStateEventsReachOtherStreams(t *testing.T) {
	c := client{t, apptest.Start(t, app.Config{}).URL}
	id := c.publish("ann", "ORDER_CREATED", "e1")
	req, _ := http.NewRequest("GET", c.base+"/v1/notifications/stream?lastEventId=0", nil)
	req.Header.Set("X-User-Id", "ann")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("stream: %v %v", res, err)
	}
	defer res.Body.Close()
	events := make(chan string, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(res.Body)
		var cur []string
		for sc.Scan() {
			if sc.Text() != "" {
				cur = append(cur, sc.Text())
				continue
			}
			if len(cur) > 0 && !strings.HasPrefix(cur[0], "retry:") {
				events <- strings.Join(cur, "|")
			}
			cur = nil
		}
	}()
	nextEvent := func() string {
		select {
		case e := <-events:
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("no event within 10s")
			return ""
		}
	}
	if e := nextEvent(); !strings.HasPrefix(e, "id: 1|event: notification|") {
		t.Fatalf("first event %q", e)
	}
	c.do("POST", fmt.Sprintf("/v1/notifications/%d/archive", id), "ann", nil, nil)
	e := nextEvent()
	if !strings.HasPrefix(e, fmt.Sprintf(`event: state|data: {"ids":[%d],"archivedAt":"`, id)) {
		t.Fatalf("state event %q", e)
	}
	c.do("POST", "/v1/notifications/read-all", "ann", nil, nil)
	if e := nextEvent(); !strings.HasPrefix(e, `event: state|data: {"upToSeq":1,"readAt":"`) {
		t.Fatalf("read-all state event %q", e)
	}
	c.publish("ann", "ORDER_CREATED", "e2")
	if e := nextEvent(); !strings.HasPrefix(e, "id: 2|event: notification|") {
		t.Fatalf("after state events: %q, want id 2", e)
	}
}

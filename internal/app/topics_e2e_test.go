package app_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

const topicTypes = `types:
  RESTOCKED:
    message: "{{.productName}} 재입고되었습니다."
    url: "https://shop.example/products/{{.productId}}"
  PRICE_ALERT:
    message: "가격이 바뀌었습니다."
    throttle: {limit: 3, window: 1h, key: "{{.storeId}}"}
`

const admin = "Bearer adm-token"

func restock(topic, eventID, extraWho string) []byte {
	return fmt.Appendf(nil, `{"whoToNotify":{"topic":%q,"role":"CUSTOMER"%s},"publishInformation":{"notificationType":"RESTOCKED","eventId":%q,"data":{"productName":"니트","productId":"p-1"}}}`, topic, extraWho, eventID)
}

type topicStatus struct {
	Topic *struct {
		Name              string
		Subscribers, Done int64
		Finished          bool
	}
	Recipients []struct{ UserID string }
	Throttled  []string
}

func eventStatus(t *testing.T, s *server, id string) topicStatus {
	t.Helper()
	var st topicStatus
	r := do(t, "GET", s.URL+"/v1/events/"+id, nil, "Authorization", admin)
	if r.Status != http.StatusOK {
		t.Fatalf("status of %s: %d %s", id, r.Status, r.Body)
	}
	r.decode(t, &st)
	return st
}

func TestTopicsEndToEnd(t *testing.T) {
	g := newGateway(t)
	cfgFile := filepath.Join(t.TempDir(), "types.yaml")
	writeFile(t, cfgFile, topicTypes)
	s := startApp(t, app.Config{SMSProvider: "webhook", SMSWebhookURL: g.URL, AdminToken: "adm-token", ConfigFile: cfgFile, TopicsPerUser: 3})
	const topic = "restock:product-123"
	users := []string{"u1", "u2", "u3", "u4", "u5"}
	for i, u := range users {
		if r := do(t, "PUT", s.URL+"/v1/users/"+u, fmt.Appendf(nil, `{"phoneNumber":"+8210000000%02d"}`, i), "Authorization", admin); r.Status != http.StatusOK {
			t.Fatalf("profile of %s: %d %s", u, r.Status, r.Body)
		}
		body := []byte(`{}`)
		if u == "u3" {
			body = []byte(`{"once": true}`)
		}
		if r := do(t, "PUT", s.URL+"/v1/subscriptions/"+topic, body, "X-User-Id", u); r.Status != http.StatusCreated {
			t.Fatalf("%s subscribes: %d %s", u, r.Status, r.Body)
		}
	}
	if r := do(t, "PUT", s.URL+"/v1/subscriptions/"+topic, nil, "X-User-Id", "u1"); r.Status != http.StatusOK {
		t.Fatalf("subscribing twice: %d %s, want 200 (the one subscription)", r.Status, r.Body)
	}

	// Bad input, each refused with a clear error and nothing stored.
	for _, c := range []struct {
		what, method, path string
		body               []byte
		header             []string
		status             int
		code               string
	}{
		{"a topic name with a space", "PUT", "/v1/subscriptions/bad%20topic", nil, []string{"X-User-Id", "u1"}, 400, "invalid_event"},
		{"a topic name of 201 characters", "PUT", "/v1/subscriptions/" + strings.Repeat("a", 201), nil, []string{"X-User-Id", "u1"}, 400, "invalid_event"},
		{"a user subscribing another user", "PUT", "/v1/topics/" + topic + "/subscribers/u2", nil, []string{"X-User-Id", "u1"}, 403, "forbidden"},
		{"a user listing a topic's subscribers", "GET", "/v1/topics/" + topic + "/subscribers", nil, []string{"X-User-Id", "u1"}, 403, "forbidden"},
		{"a topic and a userId in one whoToNotify", "POST", "/v1/events", restock(topic, "both", `,"userId":"u1"`), []string{"Authorization", admin}, 400, "invalid_event"},
		{"an invalid topic in whoToNotify", "POST", "/v1/events", restock("restock product", "badname", ""), []string{"Authorization", admin}, 400, "invalid_event"},
		{"a topic inside an array", "POST", "/v1/events", []byte(`{"whoToNotify":[{"topic":"t","role":"CUSTOMER"}],"publishInformation":{"notificationType":"RESTOCKED","data":{"productName":"a","productId":"b"}}}`), []string{"Authorization", admin}, 400, "invalid_event"},
	} {
		r := do(t, c.method, s.URL+c.path, c.body, c.header...)
		if r.Status != c.status || !strings.Contains(string(r.Body), c.code) {
			t.Errorf("%s: %d %s, want %d %s", c.what, r.Status, r.Body, c.status, c.code)
		}
	}
	// The cap (3 here): u1 holds one topic, two more fit, the fourth is refused.
	for _, tp := range []string{"t:2", "t:3"} {
		if r := do(t, "PUT", s.URL+"/v1/subscriptions/"+tp, nil, "X-User-Id", "u1"); r.Status != http.StatusCreated {
			t.Fatalf("u1 subscribes %s: %d %s", tp, r.Status, r.Body)
		}
	}
	if r := do(t, "PUT", s.URL+"/v1/subscriptions/t:4", nil, "X-User-Id", "u1"); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "too_many_topics") {
		t.Fatalf("a 4th topic with a cap of 3: %d %s, want 409 too_many_topics", r.Status, r.Body)
	}
	var mine struct{ Subscriptions []struct{ Topic string } }
	do(t, "GET", s.URL+"/v1/subscriptions", nil, "X-User-Id", "u1").decode(t, &mine)
	if len(mine.Subscriptions) != 3 {
		t.Fatalf("u1's subscriptions = %+v, want 3", mine)
	}
	var page struct {
		Count       int64
		Subscribers []struct{ UserID string }
		Next        string
	}
	do(t, "GET", s.URL+"/v1/topics/"+topic+"/subscribers?limit=2", nil, "Authorization", admin).decode(t, &page)
	if page.Count != 5 || len(page.Subscribers) != 2 || page.Next != "u2" {
		t.Fatalf("first page of subscribers = %+v, want 2 of 5, next after u2", page)
	}

	stream := openStream(t, s.URL+"/v1/notifications/stream", "X-User-Id", "u4")
	defer stream.Close()
	var acc struct {
		Topic       string
		Subscribers *int64
	}
	r := do(t, "POST", s.URL+"/v1/events", restock(topic, "e1", ""), "Authorization", admin)
	r.decode(t, &acc)
	if r.Status != http.StatusAccepted || acc.Topic != topic || acc.Subscribers == nil || *acc.Subscribers != 5 {
		t.Fatalf("publish to the topic: %d %s, want 202 with 5 subscribers", r.Status, r.Body)
	}
	if ev := stream.next(t); ev.Event != "notification" || !strings.Contains(ev.Data, "니트 재입고되었습니다.") {
		t.Fatalf("u4's stream got %+v", ev)
	}
	apptest.Eventually(t, "e1's fan-out and its SMS", func() bool {
		st := eventStatus(t, s, "e1")
		return st.Topic != nil && st.Topic.Finished && st.Topic.Done == 5 && len(g.to("e1")) == 5
	})
	sent := g.to("e1")
	slices.Sort(sent)
	if len(slices.Compact(sent)) != 5 {
		t.Fatalf("e1's SMS went to %v, want each of 5 subscribers once", g.to("e1"))
	}
	do(t, "GET", s.URL+"/v1/subscriptions", nil, "X-User-Id", "u3").decode(t, &mine)
	if len(mine.Subscriptions) != 0 {
		t.Fatalf("u3's once subscription outlived its notification: %+v", mine)
	}
	r = do(t, "POST", s.URL+"/v1/events", restock(topic, "e2", ""), "Authorization", admin)
	r.decode(t, &acc)
	if *acc.Subscribers != 4 {
		t.Fatalf("the second event: %s, want 4 subscribers (u3's once ended)", r.Body)
	}
	r = do(t, "POST", s.URL+"/v1/events", restock("restock:nobody", "e0", ""), "Authorization", admin)
	r.decode(t, &acc)
	if r.Status != http.StatusAccepted || acc.Subscribers == nil || *acc.Subscribers != 0 {
		t.Fatalf("a topic without subscribers: %d %s, want 202 with subscribers 0", r.Status, r.Body)
	}
	apptest.Eventually(t, "e2's fan-out", func() bool {
		st := eventStatus(t, s, "e2")
		return st.Topic.Finished && len(st.Recipients) == 4 && len(g.to("e2")) == 4
	})

	// Throttle: 10 events of a type limited to 3 per store and hour reach u5 three times.
	for i := range 10 {
		body := fmt.Appendf(nil, `{"whoToNotify":{"userId":"u5","role":"CUSTOMER"},"publishInformation":{"notificationType":"PRICE_ALERT","eventId":"p%d","data":{"storeId":"s-1"}}}`, i)
		if r := do(t, "POST", s.URL+"/v1/events", body, "Authorization", admin); r.Status != http.StatusAccepted {
			t.Fatalf("price alert %d: %d %s", i, r.Status, r.Body)
		}
	}
	var inbox struct{ Notifications []struct{ Type string } }
	do(t, "GET", s.URL+"/v1/notifications?type=PRICE_ALERT&limit=50", nil, "X-User-Id", "u5").decode(t, &inbox)
	if len(inbox.Notifications) != 3 {
		t.Fatalf("u5 has %d price alerts, want 3", len(inbox.Notifications))
	}
	if st := eventStatus(t, s, "p9"); len(st.Throttled) != 1 || st.Throttled[0] != "u5" {
		t.Fatalf("status of the 10th: throttled %v, want [u5]", st.Throttled)
	}

	var erased struct{ TopicSubscriptions int64 }
	do(t, "DELETE", s.URL+"/v1/users/u1", nil, "Authorization", admin).decode(t, &erased)
	if erased.TopicSubscriptions != 3 {
		t.Fatalf("erasing u1: %d topic subscriptions erased, want 3", erased.TopicSubscriptions)
	}
}

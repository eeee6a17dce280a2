package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/publish"
)

// A producer sends an event to a topic over SQS (publish.ForTopic): every subscriber is
// notified, as over HTTP.
func TestSQSTopicEvent(t *testing.T) {
	g, name, url := sqsQueue(t, "app-topic")
	s := startApp(t, app.Config{SQSQueues: []string{name}, SQSProtocol: "query", SQSWait: time.Second})
	for _, u := range []string{"41", "42"} {
		if r := do(t, "PUT", s.URL+"/v1/subscriptions/restock:sqs-1", []byte(`{}`), "X-User-Id", u); r.Status != 201 {
			t.Fatalf("%s subscribes: %d %s", u, r.Status, r.Body)
		}
	}
	ev := publish.ForTopic("restock:sqs-1", publish.RoleOwner, publish.Info{NotificationType: "DELIVERY_STARTED",
		Message: "재입고되었습니다.", URL: "https://shop/p/1", EventID: "sqs-topic-1"})
	if _, err := publish.NewSQS(g.SQS(), url).Send(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	apptest.Eventually(t, "the topic event from SQS reaching both subscribers", func() bool {
		r := do(t, "GET", s.URL+"/v1/events/sqs-topic-1", nil)
		if r.Status != 200 {
			return false
		}
		var st topicStatus
		r.decode(t, &st)
		return st.Topic != nil && st.Topic.Finished && len(st.Recipients) == 2
	})
}

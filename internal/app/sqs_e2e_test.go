package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/testenv/goawstest"
	"github.com/notifyd/notifyd/publish"
)

// A producer publishes with publish/ to an SQS queue; notifyd consumes, stores and pushes
// it to the user's stream; a poison message lands in the rejected list, and is replayed
// through the admin route once the cause is fixed.
// sqsQueue starts goaws (or skips), makes a queue and points the AWS SDK at it.
func sqsQueue(t *testing.T, queue string) (g *goawstest.GoAWS, name, url string) {
	g = goawstest.RequireGoAWS(t)
	name, url = g.Queue(t, queue, map[string]string{"VisibilityTimeout": "5"})
	t.Setenv("AWS_ENDPOINT_URL", g.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	return g, name, url
}

func TestSQSToStream(t *testing.T) {
	g, name, url := sqsQueue(t, "app-e2e")
	cfgFile := t.TempDir() + "/types.yaml"
	s := startApp(t, app.Config{SQSQueues: []string{name}, SQSProtocol: "query", SQSWait: time.Second})
	apptest.Eventually(t, "SQS ready", func() bool { return do(t, "GET", s.URL+"/readyz", nil).Status == 200 })
	st := openStream(t, s.URL+"/v1/notifications/stream?user=77")

	sender := publish.NewSQS(g.SQS(), url)
	ev := publish.ForOne(publish.Customer("77", "+821012345678"), publish.Info{NotificationType: "DELIVERY_STARTED",
		Message: "배송이 시작되었습니다.", URL: "https://mypage/orders/77", EventID: "sqs-e2e-1"})
	if _, err := sender.Send(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	got := st.next(t)
	var v view
	json.Unmarshal([]byte(got.Data), &v)
	if got.ID != "1" || v.EventID != "sqs-e2e-1" || v.Message != "배송이 시작되었습니다." {
		t.Fatalf("pushed %+v %+v", got, v)
	}

	// Poison: a type notifyd does not know. Kept as rejected, deleted from the queue.
	_, err := g.SQS().SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url),
		MessageBody: aws.String(`{"whoToNotify":{"userId":77,"role":"CUSTOMER"},"publishInformation":{"notificationType":"PRICE_DROP","message":"가격 인하","url":"https://shop/1","eventId":"poison-1"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	var rejected struct {
		Rejected []struct {
			ID     int64  `json:"id"`
			Code   string `json:"code"`
			Queue  string `json:"queue"`
			Status string `json:"status"`
		} `json:"rejected"`
	}
	apptest.Eventually(t, "the poison message in the rejected list", func() bool {
		do(t, "GET", s.URL+"/v1/admin/rejected?status=rejected", nil).decode(t, &rejected)
		return len(rejected.Rejected) == 1
	})
	if rj := rejected.Rejected[0]; rj.Code != "unknown_type" || rj.Queue != name {
		t.Fatalf("rejected %+v", rj)
	}
	if r := do(t, "POST", s.URL+"/v1/admin/rejected/"+itoa(rejected.Rejected[0].ID)+"/replay", nil); r.Status != 422 {
		t.Fatalf("replay before the fix: %d %s", r.Status, r.Body)
	}

	// Fix the cause: restart with PRICE_DROP configured, on the same database.
	s.stop()
	writeFile(t, cfgFile, "types:\n  PRICE_DROP:\n    message: \"{{.productName}} 가격이 내려갔습니다.\"\n")
	s2 := startApp(t, app.Config{DatabaseURL: s.db, ConfigFile: cfgFile, SQSQueues: []string{name}, SQSProtocol: "query", SQSWait: time.Second})
	st2 := openStream(t, s2.URL+"/v1/notifications/stream?user=77", "Last-Event-ID", "1")
	r := do(t, "POST", s2.URL+"/v1/admin/rejected/"+itoa(rejected.Rejected[0].ID)+"/replay", nil)
	if r.Status != 200 {
		t.Fatalf("replay after the fix: %d %s", r.Status, r.Body)
	}
	if got := st2.next(t); got.ID != "2" {
		t.Fatalf("replayed event pushed with id %s", got.ID)
	}
	do(t, "GET", s2.URL+"/v1/admin/rejected?status=rejected", nil).decode(t, &rejected)
	if len(rejected.Rejected) != 0 {
		t.Fatalf("still rejected after replay: %+v", rejected.Rejected)
	}
}

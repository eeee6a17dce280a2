package sqs

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/testenv/goawstest"
	"github.com/notifyd/notifyd/publish"
)

// An event published to an SNS topic reaches every subscribed queue: two in SNS
// envelopes, one with raw delivery. notifyd decodes all three, carries the traceparent,
// and stores the event once (the other two are duplicates of its eventId).
func TestSNSFanOut(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, notify.DefaultRegistry())
	snsClient := e.goaws.SNS()
	topic, err := snsClient.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(goawstest.UniqueName(t, "order-events"))})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, raw := range []bool{false, false, true} {
		name, _ := e.queue("fanout", 30)
		names = append(names, name)
		attrs := map[string]string{}
		if raw {
			attrs["RawMessageDelivery"] = "true"
		}
		if _, err := snsClient.Subscribe(ctx, &sns.SubscribeInput{
			TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(goawstest.QueueARN(name)), Attributes: attrs,
		}); err != nil {
			t.Fatal(err)
		}
	}
	const trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	ids, err := publish.NewSNS(snsClient, aws.ToString(topic.TopicArn)).Send(publish.ContextWithTraceParent(ctx, trace), customerEvent("21", ""))
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var inputs []ingest.Input
	recording := ingestFunc(func(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error) {
		mu.Lock()
		inputs = append(inputs, ins...)
		mu.Unlock()
		return e.svc.Accept(ctx, ins)
	})
	c := e.start(recording, Options{Queues: names})
	got := c.waitFinal(t, 3)
	if got[accepted] != 1 || got[duplicate] != 2 {
		t.Fatalf("outcomes %v, want 1 accepted and 2 duplicates", got)
	}
	c.stop(t)
	for _, in := range inputs {
		if in.Event.EventID != ids[0] || in.TraceParent != trace {
			t.Errorf("input from %s: eventId %q traceparent %q", in.Source, in.Event.EventID, in.TraceParent)
		}
	}
	if ns := e.notificationsOf("21"); len(ns) != 1 {
		t.Errorf("%d notifications, want 1", len(ns))
	}
}

// Without an eventId, the SNS MessageId is the key. (goaws gives each subscribed queue
// its own MessageId, where SNS gives them all the same, so this uses one queue.)
func TestSNSMessageIDIsTheKey(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, notify.DefaultRegistry())
	snsClient := e.goaws.SNS()
	topic, err := snsClient.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(goawstest.UniqueName(t, "order-events"))})
	if err != nil {
		t.Fatal(err)
	}
	name, url := e.queue("fanout", 30)
	if _, err := snsClient.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(goawstest.QueueARN(name))}); err != nil {
		t.Fatal(err)
	}
	body := `{"whoToNotify":{"userId":22,"role":"OWNER"},"publishInformation":{"notificationType":"QUESTION_REGISTERED","data":{"storeId":1,"questionId":2}}}`
	if _, err := snsClient.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	snsID := peekSNSMessageID(t, e, url)
	var keys []string
	recording := ingestFunc(func(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error) {
		for _, in := range ins {
			keys = append(keys, in.FallbackKey)
		}
		return e.svc.Accept(ctx, ins)
	})
	c := e.start(recording, Options{Queues: []string{name}})
	if got := c.waitFinal(t, 1); got[accepted] != 1 {
		t.Fatalf("outcomes %v", got)
	}
	c.stop(t)
	ns := e.notificationsOf("22")
	if len(ns) != 1 || len(keys) != 1 || ns[0].EventID != snsID || keys[0] != snsID {
		t.Fatalf("notifications %+v, keys %v: want one, keyed by the SNS MessageId %s", ns, keys, snsID)
	}
}

// peekSNSMessageID receives the queue's message, reads its envelope's MessageId and
// makes it visible again.
func peekSNSMessageID(t *testing.T, e *env, url string) string {
	t.Helper()
	ctx := context.Background()
	out, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 1, WaitTimeSeconds: 5})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive: %v, %d messages", err, len(out.Messages))
	}
	m := out.Messages[0]
	body, err := DecodeBody([]byte(aws.ToString(m.Body)))
	if err != nil || body.SNSMessageID == "" || body.SNSMessageID == aws.ToString(m.MessageId) {
		t.Fatalf("body %+v, %v: want an SNS envelope", body, err)
	}
	if _, err := e.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	return body.SNSMessageID
}

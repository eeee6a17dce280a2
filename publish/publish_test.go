package publish_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/notifyd/notifyd/publish"
)

func events(n int) []publish.NotificationData {
	out := make([]publish.NotificationData, n)
	for i := range out {
		out[i] = publish.ForOne(publish.Customer(strconv.Itoa(100+i), ""), publish.Info{NotificationType: "ORDER_CREATED"})
	}
	return out
}

func TestSQSBatchesOfTen(t *testing.T) {
	fake := &recordingSQS{}
	ids, err := publish.NewSQS(fake, "https://sqs.local/1/q").Send(context.Background(), events(23)...)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 23 {
		t.Fatalf("got %d ids, want 23", len(ids))
	}
	var sizes []int
	seen := map[string]bool{}
	for _, b := range fake.batches {
		sizes = append(sizes, len(b.Entries))
		for _, e := range b.Entries {
			var body struct {
				PublishInformation struct {
					EventID string `json:"eventId"`
				} `json:"publishInformation"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(e.MessageBody)), &body); err != nil {
				t.Fatal(err)
			}
			i, _ := strconv.Atoi(aws.ToString(e.Id))
			if body.PublishInformation.EventID != ids[i] {
				t.Errorf("entry %d eventId %q, want %q", i, body.PublishInformation.EventID, ids[i])
			}
			seen[ids[i]] = true
			if e.MessageGroupId != nil || e.MessageDeduplicationId != nil {
				t.Errorf("standard queue entry has FIFO ids")
			}
			if e.MessageAttributes != nil {
				t.Errorf("entry has attributes without a traceparent in ctx")
			}
		}
	}
	if got, want := sizes, []int{10, 10, 3}; !slices.Equal(got, want) {
		t.Errorf("batch sizes %v, want %v", got, want)
	}
	if len(seen) != 23 {
		t.Errorf("%d distinct generated ids, want 23", len(seen))
	}
}

func TestSQSFIFOAndTrace(t *testing.T) {
	fake := &recordingSQS{}
	long := strings.Repeat("x", 150)
	evs := events(2)
	evs[0].PublishInformation.EventID = "order-1"
	evs[1].PublishInformation.EventID = long
	ctx := publish.ContextWithTraceParent(context.Background(), "00-abc-def-01")
	if _, err := publish.NewSQS(fake, "https://sqs.local/1/q.fifo").Send(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	es := fake.batches[0].Entries
	if got := aws.ToString(es[0].MessageGroupId); got != "100" {
		t.Errorf("group id %q, want the first recipient 100", got)
	}
	if got := aws.ToString(es[0].MessageDeduplicationId); got != "order-1" {
		t.Errorf("dedup id %q, want order-1", got)
	}
	if got := aws.ToString(es[1].MessageDeduplicationId); len(got) != 64 {
		t.Errorf("dedup id of a 150-char eventId is %q, want a 64-char hash", got)
	}
	if got := aws.ToString(es[0].MessageAttributes["traceparent"].StringValue); got != "00-abc-def-01" {
		t.Errorf("traceparent attribute %q", got)
	}

	one := &recordingSQS{}
	grp := publish.WithGroupID(func(publish.NotificationData) string { return "orders" })
	if _, err := publish.NewSQS(one, "https://sqs.local/1/q.fifo", grp).Send(ctx, evs[0]); err != nil {
		t.Fatal(err)
	}
	if len(one.single) != 1 || aws.ToString(one.single[0].MessageGroupId) != "orders" || aws.ToString(one.single[0].MessageDeduplicationId) != "order-1" {
		t.Errorf("single FIFO send: %+v", one.single)
	}
}

func TestSQSPartialFailure(t *testing.T) {
	fake := &recordingSQS{failIDs: map[string]bool{"3": true, "11": true}}
	ids, err := publish.NewSQS(fake, "https://sqs.local/1/q").Send(context.Background(), events(12)...)
	var be *publish.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("got %v, want a *BatchError", err)
	}
	if len(be.Failed) != 2 || be.Failed[0].Index != 3 || be.Failed[1].Index != 11 || be.Failed[1].EventID != ids[11] {
		t.Errorf("failed = %+v", be.Failed)
	}
}

func TestSNSFIFO(t *testing.T) {
	fake := &recordingSNS{}
	evs := events(2)
	ids, err := publish.NewSNS(fake, "arn:aws:sns:ap-northeast-2:1:orders.fifo").Send(context.Background(), evs...)
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.ins) != 2 {
		t.Fatalf("%d publishes, want 2", len(fake.ins))
	}
	for i, in := range fake.ins {
		if aws.ToString(in.MessageDeduplicationId) != ids[i] || aws.ToString(in.MessageGroupId) != strconv.Itoa(100+i) {
			t.Errorf("publish %d: group %q dedup %q", i, aws.ToString(in.MessageGroupId), aws.ToString(in.MessageDeduplicationId))
		}
	}
}

func TestHTTPSend(t *testing.T) {
	var gotAuth, gotKey, gotTrace string
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotKey, gotTrace = r.Header.Get("Authorization"), r.Header.Get("Idempotency-Key"), r.Header.Get("traceparent")
		gotBody, _ = io.ReadAll(r.Body)
		if strings.HasPrefix(string(gotBody), "[") {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"type":"unknown_type","code":"unknown_type","title":"Unknown type","detail":"FOO is not registered"}`)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	sender := publish.NewHTTP(srv.URL+"/", publish.WithToken("t0k"), publish.WithHTTPClient(srv.Client()))
	ctx := publish.ContextWithTraceParent(context.Background(), "00-abc-def-01")
	ids, err := sender.Send(ctx, events(1)...)
	if err != nil {
		t.Fatal(err)
	}
	if gotAuth != "Bearer t0k" || gotKey != ids[0] || gotTrace != "00-abc-def-01" {
		t.Errorf("headers: auth %q key %q (want %q) trace %q", gotAuth, gotKey, ids[0], gotTrace)
	}
	_, err = sender.Send(context.Background(), events(2)...)
	var he *publish.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 422 || he.Code != "unknown_type" {
		t.Fatalf("got %v, want an HTTPError 422 unknown_type", err)
	}
	if gotKey != "" {
		t.Errorf("array request has Idempotency-Key %q; each event carries its own eventId", gotKey)
	}
}

func TestEncodeError(t *testing.T) {
	ev := publish.ForOne(publish.Customer("1", ""), publish.Info{NotificationType: "X", Data: map[string]any{"c": make(chan int)}})
	_, err := publish.NewSQS(&recordingSQS{}, "q").Send(context.Background(), ev)
	var ee *publish.EncodeError
	if !errors.As(err, &ee) {
		t.Fatalf("got %v, want *EncodeError", err)
	}
}

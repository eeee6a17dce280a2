package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/notifyd/notifyd/internal/testenv/goawstest"
	"github.com/notifyd/notifyd/publish"
)

// event is one NotificationData for a customer (SSE and SMS) with the given eventId.
func event(id, user string) publish.NotificationData {
	return publish.ForOne(publish.Customer(user, phone(user)), publish.Info{
		NotificationType: "DELIVERY_STARTED",
		Message:          "배송이 시작되었습니다. " + id,
		URL:              "https://mypage/orders/" + id,
		EventID:          id,
	})
}

// phone is a distinct E.164 number per user.
func phone(user string) string {
	n, _ := strconv.Atoi(user)
	return fmt.Sprintf("+8210%08d", n)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// call makes one request; header is name, value pairs.
func call(t *testing.T, method, url string, body []byte, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json") // what the API takes; header may say otherwise
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// postLost posts an event to a process that a fault point may kill before it answers:
// it returns 0 when the connection broke instead of an answer.
func postLost(t *testing.T, p *proc, ev publish.NotificationData) int {
	t.Helper()
	resp, err := httpClient.Post(p.URL+"/v1/events", "application/json", bytes.NewReader(mustJSON(t, ev)))
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// accepted is the answer to POST /v1/events.
type accepted struct {
	EventID         string  `json:"eventId"`
	Duplicate       bool    `json:"duplicate"`
	NotificationIDs []int64 `json:"notificationIds"`
}

func postEvent(t *testing.T, p *proc, ev publish.NotificationData) (int, accepted) {
	t.Helper()
	status, body := call(t, "POST", p.URL+"/v1/events", mustJSON(t, ev), "Content-Type", "application/json")
	var a accepted
	if status < 300 {
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatalf("POST /v1/events answer %s: %v", body, err)
		}
	}
	return status, a
}

// eventStatus is GET /v1/events/{id}.
type eventStatus struct {
	EventID    string `json:"eventId"`
	Recipients []struct {
		UserID         string `json:"userId"`
		NotificationID int64  `json:"notificationId"`
		Seq            int64  `json:"seq"`
		Channels       []struct {
			Channel           string `json:"channel"`
			Status            string `json:"status"`
			Attempts          int    `json:"attempts"`
			LastError         string `json:"lastError"`
			ProviderMessageID string `json:"providerMessageId"`
		} `json:"channels"`
	} `json:"recipients"`
}

func getEventStatus(t *testing.T, p *proc, id string) (int, eventStatus) {
	t.Helper()
	status, body := call(t, "GET", p.URL+"/v1/events/"+id, nil)
	var st eventStatus
	if status == http.StatusOK {
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatalf("GET /v1/events/%s answer %s: %v", id, body, err)
		}
	}
	return status, st
}

// smsStatus returns the status and attempts of the event's one SMS delivery ("" while
// the event is unknown).
func smsStatus(t *testing.T, p *proc, id string) (status string, attempts int, providerID string) {
	t.Helper()
	code, st := getEventStatus(t, p, id)
	if code == http.StatusNotFound {
		return "", 0, ""
	}
	if code != http.StatusOK {
		t.Fatalf("GET /v1/events/%s: %d", id, code)
	}
	if len(st.Recipients) != 1 {
		t.Fatalf("event %s has %d recipients, want 1: %+v", id, len(st.Recipients), st)
	}
	for _, c := range st.Recipients[0].Channels {
		if c.Channel == "sms" {
			return c.Status, c.Attempts, c.ProviderMessageID
		}
	}
	t.Fatalf("event %s has no sms channel: %+v", id, st)
	return
}

// waitSent waits until every event's SMS is recorded as sent, and returns the attempts of
// each.
func waitSent(t *testing.T, p *proc, ids []string, timeout time.Duration) map[string]int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	attempts := map[string]int{}
	for _, id := range ids {
		for {
			status, n, pid := smsStatus(t, p, id)
			if status == "sent" {
				if !strings.HasPrefix(pid, "prov-sms-") {
					t.Errorf("event %s: provider message id %q, want the fake provider's", id, pid)
				}
				attempts[id] = n
				break
			}
			if status == "failed" || status == "skipped" {
				t.Fatalf("event %s: sms %s", id, status)
			}
			p.pause(deadline, "event "+id+" sent (now "+strconv.Quote(status)+")")
		}
	}
	return attempts
}

// notification is one entry of GET /v1/notifications.
type notification struct {
	ID      int64  `json:"id"`
	Seq     int64  `json:"seq"`
	EventID string `json:"eventId"`
	Message string `json:"message"`
	Read    bool   `json:"read"`
}

// inbox returns a user's notifications, newest first (up to 100).
func inbox(t *testing.T, p *proc, user string) []notification {
	t.Helper()
	status, body := call(t, "GET", p.URL+"/v1/notifications?limit=100", nil, "X-User-Id", user)
	if status != http.StatusOK {
		t.Fatalf("GET /v1/notifications as %s: %d %s", user, status, body)
	}
	var list struct {
		Notifications []notification `json:"notifications"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	return list.Notifications
}

// checkInbox asserts the user has exactly one notification per event id, seqs gap-free
// from 1.
func checkInbox(t *testing.T, p *proc, user string, ids []string) {
	t.Helper()
	got := inbox(t, p, user)
	seen := map[string]int{}
	for i, n := range got {
		seen[n.EventID]++
		if want := int64(len(got) - i); n.Seq != want {
			t.Errorf("user %s: notification %d has seq %d, want %d", user, i, n.Seq, want)
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("user %s: %d notifications of event %s, want 1", user, seen[id], id)
		}
	}
	if len(got) != len(ids) {
		t.Errorf("user %s has %d notifications, want %d", user, len(got), len(ids))
	}
}

// metric sums the samples of a Prometheus metric on /metrics.
func metric(t *testing.T, p *proc, name string) float64 {
	t.Helper()
	status, body := call(t, "GET", p.URL+"/metrics", nil)
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: %d", status)
	}
	var sum float64
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		sum += v
	}
	return sum
}

// sqsQueue is a goaws queue of a test and the env that makes notifyd consume it.
type sqsQueue struct {
	g   *goawstest.GoAWS
	URL string
	env []string
}

func newQueue(t *testing.T, visibility time.Duration) *sqsQueue {
	t.Helper()
	g := goawstest.RequireGoAWS(t)
	_, url := g.Queue(t, "e2e", map[string]string{"VisibilityTimeout": strconv.Itoa(int(visibility / time.Second))})
	return &sqsQueue{g: g, URL: url, env: []string{
		"NOTIFY_SQS_QUEUES=" + url,
		"NOTIFY_SQS_PROTOCOL=query",
		"NOTIFY_SQS_WAIT=1s",
		"AWS_ENDPOINT_URL=" + g.URL,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=goaws",
		"AWS_SECRET_ACCESS_KEY=goaws",
	}}
}

// send publishes events to the queue with the publish package, as a producer would.
func (q *sqsQueue) send(t *testing.T, events ...publish.NotificationData) {
	t.Helper()
	if _, err := publish.NewSQS(q.g.SQS(), q.URL).Send(testCtx(t), events...); err != nil {
		t.Fatalf("publish to sqs: %v", err)
	}
}

// count is the number of messages on the queue, visible or in flight. goaws counts both
// in ApproximateNumberOfMessages (AWS would need NotVisible added).
func (q *sqsQueue) count(t *testing.T) int {
	t.Helper()
	out, err := q.g.SQS().GetQueueAttributes(testCtx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q.URL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		t.Fatalf("queue attributes: %v", err)
	}
	n, err := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	if err != nil {
		t.Fatalf("queue attributes: %v", out.Attributes)
	}
	return n
}

// waitEmpty waits until every message of the queue was deleted.
func (q *sqsQueue) waitEmpty(t *testing.T, p *proc, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for q.count(t) > 0 {
		p.pause(deadline, "the queue to drain")
	}
}

// sseEvent is one event read from a stream.
type sseEvent struct {
	ID, Event, Data string
}

// openStream opens a user's SSE stream; events arrive on the channel, which closes when
// the stream ends.
func openStream(t *testing.T, p *proc, user string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/v1/notifications/stream", nil)
	req.Header.Set("X-User-Id", user)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("stream %s: %v", user, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		t.Fatalf("stream %s: %d %s", user, resp.StatusCode, b)
	}
	ch := make(chan sseEvent, 256)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Event == "notification" || ev.Event == "state" {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data += line[6:]
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		resp.Body.Close()
		for range ch { // unblock the reader if the test stopped early
		}
		<-done
	})
	return ch
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

package sqs

import (
	"context"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestReceiveAnswerSurvivesTheBodyClose reproduces the lost receives of loaded drains
// ("deserialization failed … use of closed network connection" on a 200 answer): goaws
// answers before net/http's write loop has finished with the request body, the SDK
// closes that body as soon as the answer's headers are in, and the write loop's last
// read of it then fails and tears the connection down under the answer being read (see
// internal/awsbody). On a loaded machine that order happens by chance; here every
// request's write loop is held, after its body is on the wire, until the call's Do has
// returned and the body is closed, as the SDK does. The answer is large, so that it is
// still being read when the connection would go. With one attempt allowed, the receive
// must come back with its ten messages.
func TestReceiveAnswerSurvivesTheBodyClose(t *testing.T) {
	e := newEnv(t, nil)
	_, url := e.queue("lost-answer", 30)
	ctx := context.Background()
	entries := make([]types.SendMessageBatchRequestEntry, 10)
	body := strings.Repeat("x", 60<<10)
	for i := range entries {
		entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(string(rune('a' + i))), MessageBody: aws.String(body)}
	}
	if _, err := e.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}); err != nil {
		t.Fatal(err)
	}

	var held atomic.Int64 // request bodies held until their answer was in
	cfg := e.goaws.Config.Copy()
	cfg.HTTPClient = heldWrites{awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		d := &net.Dialer{}
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &heldConn{Conn: c, held: &held}, nil
		}
	})}
	client := NewClient(cfg, ProtocolQuery)
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10}, func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		t.Fatalf("receive of 10 messages of 60 KiB, the write loop finishing after the answer: %v", err)
	}
	if len(out.Messages) != 10 {
		t.Fatalf("received %d messages, want the 10 on the queue", len(out.Messages))
	}
	if held.Load() == 0 {
		t.Fatal("no request body was held: net/http no longer writes the body apart from the headers, and this test no longer forces the race")
	}
}

// heldWrites closes each request's body once Do returns, as the SDK's handler does, and
// only then lets the request's write loop go on (heldConn).
type heldWrites struct{ next aws.HTTPClient }

func (h heldWrites) Do(r *http.Request) (*http.Response, error) {
	release := make(chan struct{})
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if c, ok := info.Conn.(*heldConn); ok {
			c.hold.Store(&release)
		}
	}}
	resp, err := h.next.Do(r.WithContext(httptrace.WithClientTrace(r.Context(), trace)))
	if r.Body != nil {
		_ = r.Body.Close()
	}
	close(release)
	return resp, err
}

// heldConn holds the write of a request's body (the write after its headers), once it
// is sent, until the request's release channel closes.
type heldConn struct {
	net.Conn
	hold   atomic.Pointer[chan struct{}]
	writes int
	held   *atomic.Int64
}

func (c *heldConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if strings.HasPrefix(string(b), "POST ") {
		c.writes = 0
	}
	c.writes++
	if p := c.hold.Load(); p != nil && c.writes == 2 {
		c.held.Add(1)
		select {
		case <-*p:
		case <-time.After(10 * time.Second): // never reached unless net/http changes how it writes
		}
	}
	return n, err
}

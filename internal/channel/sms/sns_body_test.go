package sms_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/channel/sms"
)

// bodyRecorder stands for the network under the SDK: it keeps the request body net/http
// would be handed and answers a Publish.
type bodyRecorder struct{ writerTo bool }

func (b *bodyRecorder) Do(r *http.Request) (*http.Response, error) {
	_, b.writerTo = r.Body.(io.WriterTo)
	body := `<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// The SNS client goes through awsbody: a request body offering WriteTo lets net/http tear
// down a connection whose answer is being read, and the SDK's retry would then text the
// same person twice (internal/awsbody says how).
func TestSNSBodyHidesWriteTo(t *testing.T) {
	rec := &bodyRecorder{}
	cfg := snsConfig("http://127.0.0.1:1")
	cfg.HTTPClient = rec
	s, err := sms.NewSNS(cfg, sms.SNSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send(context.Background(), snsMsg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if rec.writerTo {
		t.Error("the SNS request body reached the HTTP client with WriteTo: the client is not wrapped by awsbody")
	}
}

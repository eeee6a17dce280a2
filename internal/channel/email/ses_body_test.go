package email

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// bodyRecorder stands for the network under the SDK: it notes whether the request body
// net/http would be handed offers WriteTo, and answers a SendEmail.
type bodyRecorder struct{ writerTo bool }

func (b *bodyRecorder) Do(r *http.Request) (*http.Response, error) {
	_, b.writerTo = r.Body.(io.WriterTo)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"MessageId":"ses-1"}`)), Request: r}, nil
}

// The SES client goes through awsbody, so the SDK never loses an answer and sends the mail
// again on its retry (internal/awsbody says how).
func TestSESBodyHidesWriteTo(t *testing.T) {
	rec := &bodyRecorder{}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), HTTPClient: rec,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	m := Mail{From: "no-reply@shop.example", To: "buyer@shop.example", MessageID: "notifyd.1@test",
		Content: Content{Subject: "배송", Text: "배송이 시작되었습니다."}}
	if _, err := NewSES(cfg, "").Deliver(context.Background(), m); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if rec.writerTo {
		t.Error("the SES request body reached the HTTP client with WriteTo: the client is not wrapped by awsbody")
	}
}

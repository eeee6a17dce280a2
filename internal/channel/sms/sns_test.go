package sms_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/sms"
)

// snsConfig points a real SDK config at the fake. RetryMaxAttempts 3 stands for an
// operator's AWS_MAX_ATTEMPTS: the sender's own policy (one attempt) must still win.
func snsConfig(url string) aws.Config {
	return aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "test"}, nil
		}),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 3,
	}
}

func newTestSNS(t *testing.T, url string, o sms.SNSOptions) *sms.SNS {
	t.Helper()
	s, err := sms.NewSNS(snsConfig(url), o)
	if err != nil {
		t.Fatalf("NewSNS: %v", err)
	}
	return s
}

var snsMsg = notify.Message{DeliveryID: 42, To: "+821012345678", Type: "DELIVERY_STARTED", Text: "배송이 시작되었습니다.", URL: "https://mypage", EventID: "order-1001", UserID: "7"}

func TestSNSPublish(t *testing.T) {
	fake := newFakeSNS(t)
	s := newTestSNS(t, fake.srv.URL, sms.SNSOptions{SenderID: "NOTIFYD", OriginationNumber: "+18005550100"})

	r, err := s.Send(context.Background(), snsMsg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r.ProviderID != "msg-1" || r.Provider != "sns" {
		t.Errorf("receipt = %+v, want sns msg-1 (the SNS MessageId)", r)
	}
	reqs := fake.requests()
	if len(reqs) != 1 {
		t.Fatalf("fake got %d publishes, want 1", len(reqs))
	}
	form := reqs[0]
	if got := form.Get("PhoneNumber"); got != snsMsg.To {
		t.Errorf("PhoneNumber = %q, want %q", got, snsMsg.To)
	}
	if got, want := form.Get("Message"), "배송이 시작되었습니다. https://mypage"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	for _, k := range []string{"TopicArn", "TargetArn", "Subject", "MessageStructure"} {
		if form.Has(k) {
			t.Errorf("form carries %s=%q; an SMS publish must not", k, form.Get(k))
		}
	}
	got := messageAttributes(form)
	want := map[string]snsAttr{
		"AWS.SNS.SMS.SMSType":          {"String", "Transactional"},
		"AWS.SNS.SMS.SenderID":         {"String", "NOTIFYD"},
		"AWS.MM.SMS.OriginationNumber": {"String", "+18005550100"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("message attributes = %v, want %v", got, want)
	}
}

func TestSNSOptionalAttributes(t *testing.T) {
	fake := newFakeSNS(t)
	s := newTestSNS(t, fake.srv.URL, sms.SNSOptions{SMSType: "promotional"})
	if _, err := s.Send(context.Background(), snsMsg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := messageAttributes(fake.requests()[0])
	want := map[string]snsAttr{"AWS.SNS.SMS.SMSType": {"String", "Promotional"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("message attributes = %v, want %v", got, want)
	}
}

func TestNewSNSRejectsBadOptions(t *testing.T) {
	for _, o := range []sms.SNSOptions{
		{SMSType: "Bulk"},
		{SenderID: "TOOLONGSENDER"},
		{SenderID: "12345"},
		{SenderID: "NOTI-FYD"},
		{OriginationNumber: "18005550100"},
	} {
		if _, err := sms.NewSNS(snsConfig("http://127.0.0.1:1"), o); err == nil {
			t.Errorf("NewSNS(%+v) = nil error, want one", o)
		}
	}
}

func TestSNSClassifiesErrors(t *testing.T) {
	xmlErr := func(status int, typ, code string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			writeSNSError(w, status, typ, code, "test "+code)
		}
	}
	raw := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		}
	}
	tests := []struct {
		name      string
		answer    http.HandlerFunc
		permanent bool
		code      string
	}{
		{"throttling 400", xmlErr(400, "Sender", "Throttling"), false, "Throttling"},
		{"throttling exception", xmlErr(400, "Sender", "ThrottlingException"), false, "ThrottlingException"},
		{"throttled 429", xmlErr(429, "Sender", "Throttled"), false, "Throttled"},
		{"kms throttling", xmlErr(400, "Sender", "KMSThrottling"), false, "KMSThrottling"},
		{"kms throttling exception", xmlErr(400, "Sender", "KMSThrottlingException"), false, "KMSThrottlingException"},
		{"internal error 500", xmlErr(500, "Receiver", "InternalError"), false, "InternalError"},
		{"internal failure 500", xmlErr(500, "Receiver", "InternalFailure"), false, "InternalFailure"},
		{"service unavailable 503", xmlErr(503, "Receiver", "ServiceUnavailable"), false, "ServiceUnavailable"},
		{"unknown code 500", xmlErr(500, "Receiver", "SomethingBroke"), false, "SomethingBroke"},
		{"proxy 502 html", raw(502, "<html>bad gateway</html>"), false, "502"},
		{"invalid parameter", xmlErr(400, "Sender", "InvalidParameter"), true, "InvalidParameter"},
		{"invalid parameter value", xmlErr(400, "Sender", "ParameterValueInvalid"), true, "ParameterValueInvalid"},
		{"invalid parameter value (alias)", xmlErr(400, "Sender", "InvalidParameterValue"), true, "InvalidParameterValue"},
		{"opted out", xmlErr(400, "Sender", "OptedOut"), true, "OptedOut"},
		{"authorization error 403", xmlErr(403, "Sender", "AuthorizationError"), true, "AuthorizationError"},
		{"endpoint disabled", xmlErr(400, "Sender", "EndpointDisabled"), true, "EndpointDisabled"},
		{"unknown code 400", xmlErr(400, "Sender", "SomethingNew"), true, "SomethingNew"},
		{"html 413", raw(413, "<html>too large</html>"), true, "413"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeSNS(t)
			fake.setAnswer(tt.answer)
			s := newTestSNS(t, fake.srv.URL, sms.SNSOptions{})
			r, err := s.Send(context.Background(), snsMsg)
			if err == nil {
				t.Fatalf("Send = %+v, nil; want an error", r)
			}
			checkSMSError(t, err, tt.permanent, tt.code)
			if n := len(fake.requests()); n != 1 {
				t.Errorf("fake got %d publishes, want exactly 1 (the SDK must not retry)", n)
			}
		})
	}
}

func TestSNSConnectionRefused(t *testing.T) {
	fake := newFakeSNS(t)
	url := fake.srv.URL
	fake.srv.Close()
	s := newTestSNS(t, url, sms.SNSOptions{})
	_, err := s.Send(context.Background(), snsMsg)
	checkSMSError(t, err, false, "network")
}

func TestSNSTimeout(t *testing.T) {
	fake := newFakeSNS(t)
	// Long enough for the request to reach the fake on a loaded machine (at 50 ms it
	// sometimes did not, and the fake saw no publish); the fake never answers.
	fake.setAnswer(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	s := newTestSNS(t, fake.srv.URL, sms.SNSOptions{Timeout: time.Second})
	_, err := s.Send(context.Background(), snsMsg)
	checkSMSError(t, err, false, "timeout")
	if n := len(fake.requests()); n != 1 {
		t.Errorf("fake got %d publishes, want 1", n)
	}
}

func TestSNSRejectsNonE164WithoutCalling(t *testing.T) {
	fake := newFakeSNS(t)
	s := newTestSNS(t, fake.srv.URL, sms.SNSOptions{})
	for _, to := range []string{"", "01012345678", "+0101234", "+82 10 1234 5678", "+8210123456789012"} {
		m := snsMsg
		m.To = to
		_, err := s.Send(context.Background(), m)
		checkSMSError(t, err, true, "InvalidPhoneNumber")
		if strings.Contains(err.Error(), "12345678") {
			t.Errorf("error %q carries the phone number", err)
		}
	}
	if n := len(fake.requests()); n != 0 {
		t.Errorf("fake got %d publishes, want 0", n)
	}
}

func TestSNSErrorMasksPhoneNumber(t *testing.T) {
	fake := newFakeSNS(t)
	fake.setAnswer(func(w http.ResponseWriter, _ *http.Request) {
		writeSNSError(w, 400, "Sender", "InvalidParameter", "Invalid parameter: PhoneNumber Reason: +821012345678 is not valid to publish to")
	})
	s := newTestSNS(t, fake.srv.URL, sms.SNSOptions{})
	_, err := s.Send(context.Background(), snsMsg)
	checkSMSError(t, err, true, "InvalidParameter")
	if strings.Contains(err.Error(), snsMsg.To) {
		t.Errorf("error %q carries the whole phone number", err)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameter" {
		t.Errorf("error %v does not unwrap to the SDK's API error", err)
	}
}

// With MaxAttempts the operator may let the SDK retry; the default stays one attempt.
func TestSNSMaxAttempts(t *testing.T) {
	fake := newFakeSNS(t)
	fake.setAnswer(func(w http.ResponseWriter, _ *http.Request) {
		writeSNSError(w, 500, "Receiver", "InternalError", "boom")
	})
	s := newTestSNS(t, fake.srv.URL, sms.SNSOptions{MaxAttempts: 2})
	_, err := s.Send(context.Background(), snsMsg)
	checkSMSError(t, err, false, "InternalError")
	if n := len(fake.requests()); n != 2 {
		t.Errorf("fake got %d publishes, want 2", n)
	}
}

func TestSNSConcurrentSends(t *testing.T) {
	fake := newFakeSNS(t)
	s := newTestSNS(t, fake.srv.URL, sms.SNSOptions{SenderID: "NOTIFYD"})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			m := snsMsg
			m.DeliveryID = int64(i)
			if _, err := s.Send(context.Background(), m); err != nil {
				t.Errorf("Send: %v", err)
			}
		})
	}
	wg.Wait()
	if n := len(fake.requests()); n != 8 {
		t.Errorf("fake got %d publishes, want 8", n)
	}
}

// checkSMSError asserts err is a *channel.Error of the given kind and code.
func checkSMSError(t *testing.T, err error, permanent bool, code string) {
	t.Helper()
	var e *channel.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *channel.Error", err, err)
	}
	if got := channel.KindOf(err) == channel.KindPermanent; got != permanent {
		t.Errorf("permanent(%v) = %v, want %v", err, got, permanent)
	}
	if e.Code != code {
		t.Errorf("code = %q, want %q (error %v)", e.Code, code, err)
	}
}

package sms_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/sms"
)

// SNS down (5xx, throttling, no server at all): the webhook gateway sends, and the receipt
// says so and why.
func TestFailoverToNextWhenDown(t *testing.T) {
	down := []struct {
		name   string
		answer http.HandlerFunc
	}{
		{"5xx", func(w http.ResponseWriter, _ *http.Request) {
			writeSNSError(w, http.StatusInternalServerError, "Receiver", "InternalError", "internal failure")
		}},
		{"throttled", func(w http.ResponseWriter, _ *http.Request) {
			writeSNSError(w, http.StatusBadRequest, "Sender", "Throttling", "Rate exceeded")
		}},
	}
	for _, tt := range down {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeSNS(t)
			fake.setAnswer(tt.answer)
			gw := newGateway(t, http.StatusOK, `{"id":"gw-1"}`)
			f := sms.Failover{{Name: "sns", Provider: newTestSNS(t, fake.srv.URL, sms.SNSOptions{})}, {Name: "webhook", Provider: sms.Webhook{URL: gw.srv.URL}}}
			r, err := f.Send(context.Background(), snsMsg)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if r.Provider != "webhook" || r.ProviderID != "gw-1" || len(r.FailedOver) != 1 || !strings.HasPrefix(r.FailedOver[0], "sns: ") {
				t.Fatalf("receipt %+v, want webhook gw-1 after sns", r)
			}
			if len(fake.requests()) != 1 || len(gw.received()) != 1 {
				t.Errorf("sns got %d, gateway %d requests; want 1 each", len(fake.requests()), len(gw.received()))
			}
			if strings.Contains(r.FailedOver[0], snsMsg.To) {
				t.Errorf("failed-over note %q holds the whole number", r.FailedOver[0])
			}
		})
	}
	t.Run("network", func(t *testing.T) {
		gw := newGateway(t, http.StatusOK, `{"id":"gw-2"}`)
		f := sms.Failover{{Name: "sns", Provider: newTestSNS(t, closedURL(t), sms.SNSOptions{})}, {Name: "webhook", Provider: sms.Webhook{URL: gw.srv.URL}}}
		r, err := f.Send(context.Background(), snsMsg)
		if err != nil || r.Provider != "webhook" || len(r.FailedOver) != 1 {
			t.Fatalf("Send = %+v, %v; want webhook after sns", r, err)
		}
	})
}

// The first provider up: the second is never called.
func TestFailoverFirstUp(t *testing.T) {
	fake := newFakeSNS(t)
	gw := newGateway(t, http.StatusOK, `{}`)
	f := sms.Failover{{Name: "sns", Provider: newTestSNS(t, fake.srv.URL, sms.SNSOptions{})}, {Name: "webhook", Provider: sms.Webhook{URL: gw.srv.URL}}}
	r, err := f.Send(context.Background(), snsMsg)
	if err != nil || r.Provider != "sns" || r.ProviderID != "msg-1" || len(r.FailedOver) != 0 {
		t.Fatalf("Send = %+v, %v; want sns msg-1", r, err)
	}
	if n := len(gw.received()); n != 0 {
		t.Errorf("gateway got %d requests, want none", n)
	}
}

// A permanent error for the number (an invalid number) does not fail over: the next
// provider would refuse it too, or worse, text a number SNS refused.
func TestFailoverNotOnPermanent(t *testing.T) {
	fake := newFakeSNS(t)
	fake.setAnswer(func(w http.ResponseWriter, _ *http.Request) {
		writeSNSError(w, http.StatusBadRequest, "Sender", "InvalidParameter", "Invalid parameter: PhoneNumber")
	})
	gw := newGateway(t, http.StatusOK, `{}`)
	f := sms.Failover{{Name: "sns", Provider: newTestSNS(t, fake.srv.URL, sms.SNSOptions{})}, {Name: "webhook", Provider: sms.Webhook{URL: gw.srv.URL}}}
	_, err := f.Send(context.Background(), snsMsg)
	if channel.KindOf(err) != channel.KindPermanent {
		t.Fatalf("Send error %v, want permanent", err)
	}
	if n := len(gw.received()); n != 0 {
		t.Errorf("gateway got %d requests after a permanent error, want none", n)
	}
}

// Every provider down: a transient error naming each, for the engine to retry.
func TestFailoverAllDown(t *testing.T) {
	fake := newFakeSNS(t)
	fake.setAnswer(func(w http.ResponseWriter, _ *http.Request) {
		writeSNSError(w, http.StatusServiceUnavailable, "Receiver", "ServiceUnavailable", "down")
	})
	gw := newGateway(t, http.StatusBadGateway, `upstream down`)
	f := sms.Failover{{Name: "sns", Provider: newTestSNS(t, fake.srv.URL, sms.SNSOptions{})}, {Name: "webhook", Provider: sms.Webhook{URL: gw.srv.URL}}}
	_, err := f.Send(context.Background(), snsMsg)
	if err == nil || channel.KindOf(err) != channel.KindTransient || !strings.Contains(err.Error(), "sns: ") || !strings.Contains(err.Error(), "webhook: ") {
		t.Fatalf("Send error %v, want transient naming sns and webhook", err)
	}
}

// closedURL is the URL of a server that is no longer listening.
func closedURL(t *testing.T) string {
	gw := newGateway(t, http.StatusOK, "")
	u := gw.srv.URL
	gw.srv.Close()
	return u
}

package sms_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel/sms"
)

// gateway is a fake SMS gateway behind the webhook provider.
type gateway struct {
	srv *httptest.Server

	mu     sync.Mutex
	calls  []gatewayCall
	status int
	body   string
}

type gatewayCall struct {
	header http.Header
	body   map[string]any
}

func newGateway(t *testing.T, status int, body string) *gateway {
	t.Helper()
	g := &gateway{status: status, body: body}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			t.Errorf("method = %s, want POST", r.Method)
		}
		data, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(data, &body); err != nil {
			t.Errorf("body %q is not JSON: %v", data, err)
		}
		g.mu.Lock()
		g.calls = append(g.calls, gatewayCall{header: r.Header.Clone(), body: body})
		status, answer := g.status, g.body
		g.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprint(w, answer)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) received() []gatewayCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]gatewayCall(nil), g.calls...)
}

var webhookMsg = notify.Message{DeliveryID: 42, Attempt: 1, To: "+821012345678", Type: "DELIVERY_STARTED", Text: "배송이 시작되었습니다.", URL: "https://mypage", EventID: "order-1001", UserID: "7"}

func TestWebhookSendsJSON(t *testing.T) {
	g := newGateway(t, http.StatusOK, `{"id":"gw-1"}`)
	w := sms.Webhook{URL: g.srv.URL, Header: http.Header{"Authorization": {"Bearer s3cret"}}}
	r, err := w.Send(context.Background(), webhookMsg)
	if err != nil || r.ProviderID != "gw-1" || r.Provider != "webhook" {
		t.Fatalf("Send = %+v, %v; want webhook gw-1, nil", r, err)
	}
	calls := g.received()
	if len(calls) != 1 {
		t.Fatalf("gateway got %d calls, want 1", len(calls))
	}
	h := calls[0].header
	for k, want := range map[string]string{
		"Idempotency-Key": "sms-42",
		"Content-Type":    "application/json",
		"Authorization":   "Bearer s3cret",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	want := map[string]any{
		"deliveryId": float64(42),
		"to":         "+821012345678",
		"text":       "배송이 시작되었습니다. https://mypage",
		"type":       "DELIVERY_STARTED",
		"url":        "https://mypage",
		"eventId":    "order-1001",
		"userId":     "7",
	}
	if got := calls[0].body; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("body = %v, want %v", got, want)
	}
}

func TestWebhookOmitsEmptyURL(t *testing.T) {
	g := newGateway(t, http.StatusOK, "")
	m := webhookMsg
	m.URL = ""
	if _, err := (sms.Webhook{URL: g.srv.URL}).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	body := g.received()[0].body
	if _, ok := body["url"]; ok {
		t.Errorf("body %v carries url, want it left out", body)
	}
	if body["text"] != m.Text {
		t.Errorf("text = %v, want %q", body["text"], m.Text)
	}
}

// A 2xx without {"id":…} is still sent; the provider id falls back to the delivery id.
func TestWebhookSuccessWithoutID(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
	}{{200, ""}, {202, "{}"}, {200, "ok"}, {204, ""}} {
		g := newGateway(t, tt.status, tt.body)
		r, err := (sms.Webhook{URL: g.srv.URL}).Send(context.Background(), webhookMsg)
		if err != nil || r.ProviderID != "webhook-42" {
			t.Errorf("%d %q: Send = %+v, %v; want webhook-42, nil", tt.status, tt.body, r, err)
		}
	}
}

func TestWebhookClassifiesStatus(t *testing.T) {
	tests := []struct {
		status    int
		permanent bool
	}{
		{http.StatusTooManyRequests, false},
		{http.StatusRequestTimeout, false},
		{http.StatusInternalServerError, false},
		{http.StatusBadGateway, false},
		{http.StatusServiceUnavailable, false},
		{http.StatusBadRequest, true},
		{http.StatusUnauthorized, true},
		{http.StatusNotFound, true},
		{http.StatusUnprocessableEntity, true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			g := newGateway(t, tt.status, `{"error":"no"}`)
			_, err := (sms.Webhook{URL: g.srv.URL}).Send(context.Background(), webhookMsg)
			checkSMSError(t, err, tt.permanent, fmt.Sprint(tt.status))
			if !strings.Contains(err.Error(), `{"error":"no"}`) {
				t.Errorf("error %q lacks the gateway's answer", err)
			}
		})
	}
}

func TestWebhookNetworkErrorIsTransient(t *testing.T) {
	g := newGateway(t, http.StatusOK, "")
	g.srv.Close()
	_, err := (sms.Webhook{URL: g.srv.URL}).Send(context.Background(), webhookMsg)
	checkSMSError(t, err, false, "network")
}

// A retry of the same delivery carries the same key, so the gateway can drop the second.
func TestWebhookRetryKeepsIdempotencyKey(t *testing.T) {
	g := newGateway(t, http.StatusServiceUnavailable, "")
	w := sms.Webhook{URL: g.srv.URL}
	for attempt := 1; attempt <= 2; attempt++ {
		m := webhookMsg
		m.Attempt = attempt
		if _, err := w.Send(context.Background(), m); err == nil {
			t.Fatal("Send = nil error, want a transient one")
		}
	}
	calls := g.received()
	if len(calls) != 2 {
		t.Fatalf("gateway got %d calls, want 2", len(calls))
	}
	if k0, k1 := calls[0].header.Get("Idempotency-Key"), calls[1].header.Get("Idempotency-Key"); k0 != "sms-42" || k1 != k0 {
		t.Errorf("two attempts sent keys %q and %q, want sms-42 both times", k0, k1)
	}
}

func TestWebhookErrorMasksPhoneNumber(t *testing.T) {
	g := newGateway(t, http.StatusBadRequest, `{"error":"+821012345678 is blocked"}`)
	_, err := (sms.Webhook{URL: g.srv.URL}).Send(context.Background(), webhookMsg)
	checkSMSError(t, err, true, "400")
	if strings.Contains(err.Error(), webhookMsg.To) {
		t.Errorf("error %q carries the whole phone number", err)
	}
}

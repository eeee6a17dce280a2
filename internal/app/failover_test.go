package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

// NOTIFY_SMS_PROVIDER=webhook,log with the webhook gateway answering 503: the SMS goes out
// through log, and the status view says so and why.
func TestSMSFailoverInStatusView(t *testing.T) {
	var calls atomic.Int32
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer gw.Close()
	s := startApp(t, app.Config{SMSProvider: "webhook,log", SMSWebhookURL: gw.URL})
	body := `{"whoToNotify":{"userId":7,"role":"CUSTOMER","phoneNumber":"+821012345678"},"publishInformation":{"notificationType":"ORDER_CREATED","data":{"orderId":1},"eventId":"fo-1"}}`
	if r := do(t, "POST", s.URL+"/v1/events", []byte(body)); r.Status != http.StatusAccepted {
		t.Fatalf("POST: %d %s", r.Status, r.Body)
	}
	type channel struct {
		Channel, Status, Provider, ProviderMessageID string
		FailedOver                                   []string
	}
	var sms channel
	apptest.Eventually(t, "the SMS sent", func() bool {
		var st struct {
			Recipients []struct{ Channels []channel }
		}
		do(t, "GET", s.URL+"/v1/events/fo-1", nil).decode(t, &st)
		for _, c := range st.Recipients[0].Channels {
			if c.Channel == "sms" {
				sms = c
			}
		}
		return sms.Status == "sent"
	})
	if sms.Provider != "log" || !strings.HasPrefix(sms.ProviderMessageID, "log-") || len(sms.FailedOver) != 1 ||
		!strings.HasPrefix(sms.FailedOver[0], "webhook: ") || !strings.Contains(sms.FailedOver[0], "503") {
		t.Fatalf("sms status %+v, want sent by log after webhook failed with 503", sms)
	}
	if calls.Load() != 1 {
		t.Errorf("gateway called %d times, want 1", calls.Load())
	}
}

func TestSMSProviderListRefused(t *testing.T) {
	for _, p := range []string{"log,log", "sns,bogus", "webhook"} {
		_, err := app.New(t.Context(), app.Config{HTTPAddr: "127.0.0.1:0", DatabaseURL: "sqlite:" + t.TempDir() + "/x.db", SMSProvider: p})
		if err == nil || !strings.Contains(err.Error(), "NOTIFY_SMS_") {
			t.Errorf("NOTIFY_SMS_PROVIDER=%s: %v, want a NOTIFY_SMS_ error", p, err)
		}
	}
}

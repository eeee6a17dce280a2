package app_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/channel/mobile/mobiletest"
)

// mobileStatus is the status and reason of an event's mobile delivery.
func mobileStatus(t *testing.T, url, id string) string {
	var st struct {
		Recipients []struct {
			Channels []struct{ Channel, Status, Reason string }
		}
	}
	json.Unmarshal(do(t, "GET", url+"/v1/events/"+id, nil).Body, &st)
	for _, r := range st.Recipients {
		for _, c := range r.Channels {
			if c.Channel == "mobile" {
				return c.Status + " " + c.Reason
			}
		}
	}
	return ""
}

// TestMobileFollowsPreferencesAndTiming: mobile push obeys what every channel obeys: the
// user's opt-out, sendAt, a collapse key replacing a waiting notification, and cancel.
func TestMobileFollowsPreferencesAndTiming(t *testing.T) {
	fcm, apns := mobiletest.NewFCM(t), mobiletest.NewAPNs(t)
	s := startApp(t, mobileConfig(t, fcm, apns))
	user := []string{"X-User-Id", "7", "Content-Type", "application/json"}
	if r := do(t, "POST", s.URL+"/v1/push/devices", fmt.Appendf(nil, `{"platform":"fcm","token":%q}`, android), user...); r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	publish := func(id, extra string) {
		ev := fmt.Sprintf(`{"whoToNotify":[{"userId":7,"role":"CUSTOMER"}],"publishInformation":{"notificationType":"PAYMENT_FAILED","eventId":%q,"data":{"orderId":1}%s}}`, id, extra)
		if r := do(t, "POST", s.URL+"/v1/events", []byte(ev), "Content-Type", "application/json"); r.Status/100 != 2 {
			t.Fatalf("publish %s: %d %s", id, r.Status, r.Body)
		}
	}
	// Opted out of mobile: skipped, never pushed.
	if r := do(t, "PUT", s.URL+"/v1/preferences", []byte(`{"channels":{"mobile":false}}`), user...); r.Status != 200 {
		t.Fatalf("opt out: %d %s", r.Status, r.Body)
	}
	publish("off-1", "")
	if st := mobileStatus(t, s.URL, "off-1"); st != "skipped opted_out" {
		t.Fatalf("opted out: %q", st)
	}
	if r := do(t, "PUT", s.URL+"/v1/preferences", []byte(`{"channels":{"mobile":true}}`), user...); r.Status != 200 {
		t.Fatalf("opt in: %d %s", r.Status, r.Body)
	}
	// sendAt: held until then. A second notification of the same collapse key replaces a
	// waiting one; a cancelled one never goes out.
	at := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second).Add(time.Second)
	sendAt := fmt.Sprintf(`,"sendAt":%q`, at.Format(time.RFC3339))
	publish("later-1", sendAt)
	publish("order-old", sendAt+`,"collapseKey":"order-9"`)
	publish("order-new", sendAt+`,"collapseKey":"order-9"`)
	publish("cancel-me", sendAt)
	if r := do(t, "DELETE", s.URL+"/v1/events/cancel-me", nil); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if n := len(fcm.Received(android)); n != 0 {
		t.Fatalf("%d pushes before sendAt", n)
	}
	apptest.Eventually(t, "the scheduled pushes", func() bool {
		return mobileStatus(t, s.URL, "later-1") == "sent " && mobileStatus(t, s.URL, "order-new") == "sent "
	})
	got := fcm.Received(android)
	if len(got) != 2 {
		t.Fatalf("%d pushes (%v); want later-1 and order-new only", len(got), pushedIDs(got))
	}
	for _, r := range got {
		if r.At.Before(at) {
			t.Errorf("pushed at %v, before sendAt %v", r.At, at)
		}
	}
	for id, want := range map[string]string{"order-old": "cancelled replaced", "off-1": "skipped opted_out"} {
		if st := mobileStatus(t, s.URL, id); st != want {
			t.Errorf("%s: %q, want %q", id, st, want)
		}
	}
	if st := mobileStatus(t, s.URL, "cancel-me"); st != "" { // cancelled before its time: no delivery was ever made
		t.Errorf("cancel-me: %q", st)
	}
}

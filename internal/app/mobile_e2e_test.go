package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/channel/mobile/mobiletest"
)

var (
	android  = "eAndroid1:APA91b" + strings.Repeat("Qx_9-", 24)
	android2 = "eAndroid2:APA91b" + strings.Repeat("Zy_8-", 24)
	iphone   = strings.Repeat("9f8e7d6c", 8)
)

// pushedIDs lists the notification ids a fake delivered to token, in order.
func pushedIDs(got []mobiletest.Received) []string {
	var ids []string
	for _, r := range got {
		p := r.Payload
		if d, ok := p["data"].(map[string]any); ok { // FCM carries it in data
			p = d
		}
		ids = append(ids, fmt.Sprint(p["notificationId"]))
	}
	return ids
}

func mobileConfig(t *testing.T, fcm *mobiletest.FCM, apns *mobiletest.APNs) app.Config {
	cfg := filepath.Join(t.TempDir(), "notify.yaml")
	if err := os.WriteFile(cfg, []byte(`types:
  PAYMENT_FAILED:
    message: "결제에 실패했습니다."
    url: "https://mypage/orders/{{.orderId}}/payment"
    channels: {CUSTOMER: [inbox, mobile]}
    labels: {ko: "결제 실패", en: "Payment failed"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return app.Config{ConfigFile: cfg, DeliveryPoll: 20 * time.Millisecond, DeliveryBackoff: 100 * time.Millisecond,
		FCMCredentials: fcm.Credentials, FCMURL: fcm.URL,
		APNsKeyFile: apns.KeyFile, APNsKeyID: apns.KeyID, APNsTeamID: apns.TeamID, APNsTopic: apns.Topic, APNsURL: apns.URL,
		MobileClient: apns.Client()} // trusts the APNs fake's test CA; plain http to the FCM fake
}

func publishPayment(t *testing.T, url, id, collapse string) {
	t.Helper()
	ev := fmt.Sprintf(`{"whoToNotify":[{"userId":7,"role":"CUSTOMER"}],
	  "publishInformation":{"notificationType":"PAYMENT_FAILED","eventId":%q,"collapseKey":%q,"data":{"orderId":1001}}}`, id, collapse)
	if r := do(t, "POST", url+"/v1/events", []byte(ev), "Content-Type", "application/json"); r.Status/100 != 2 {
		t.Fatalf("publish %s: %d %s", id, r.Status, r.Body)
	}
}

// TestMobilePushEndToEnd: a buyer with an Android and an iOS device gets one push on each,
// titled in each device's language, with the badge of their unread count; reading one
// lowers the next badge; a dead token is dropped at its first refusal and never tried
// again; a 429 with Retry-After: 2 is retried no sooner, and only on the device refused.
func TestMobilePushEndToEnd(t *testing.T) {
	fcm, apns := mobiletest.NewFCM(t), mobiletest.NewAPNs(t)
	s := startApp(t, mobileConfig(t, fcm, apns))
	user := []string{"X-User-Id", "7", "Content-Type", "application/json"}
	for _, d := range []string{
		fmt.Sprintf(`{"platform":"fcm","token":%q,"locale":"ko"}`, android),
		fmt.Sprintf(`{"platform":"apns","token":%q,"locale":"en-US"}`, strings.ToUpper(iphone)),
	} {
		if r := do(t, "POST", s.URL+"/v1/push/devices", []byte(d), user...); r.Status != 201 {
			t.Fatalf("register %s: %d %s", d, r.Status, r.Body)
		}
	}
	// What was tried: a malformed token, an unknown platform, a locale that is not one.
	for d, field := range map[string]string{
		`{"platform":"apns","token":"not-hex"}`:                            "token",
		`{"platform":"fcm","token":"short"}`:                               "token",
		fmt.Sprintf(`{"platform":"webos","token":%q}`, android):            "platform",
		fmt.Sprintf(`{"platform":"fcm","token":%q,"locale":"?"}`, android): "locale",
	} {
		if r := do(t, "POST", s.URL+"/v1/push/devices", []byte(d), user...); r.Status != 400 || !strings.Contains(string(r.Body), field) {
			t.Errorf("register %s: %d %s; want 400 naming %s", d, r.Status, r.Body, field)
		}
	}

	publishPayment(t, s.URL, "pay-1", "order-1001")
	apptest.Eventually(t, "one push on each device", func() bool {
		return len(fcm.Received(android)) == 1 && len(apns.Received(iphone)) == 1
	})
	a, i := fcm.Received(android)[0].Payload, apns.Received(iphone)[0]
	if n := a["notification"].(map[string]any); n["title"] != "결제 실패" || n["body"] != "결제에 실패했습니다." || a["android"].(map[string]any)["collapse_key"] != "order-1001" {
		t.Errorf("android push %v", a)
	}
	aps := i.Payload["aps"].(map[string]any)
	if aps["alert"].(map[string]any)["title"] != "Payment failed" || aps["badge"] != float64(1) || i.Header.Get("apns-collapse-id") != "order-1001" ||
		i.Payload["url"] != "https://mypage/orders/1001/payment" {
		t.Errorf("iOS push %v %v", i.Payload, i.Header)
	}

	// Read on one device: the next push carries the lower badge.
	publishPayment(t, s.URL, "pay-2", "")
	apptest.Eventually(t, "the second push", func() bool { return len(apns.Received(iphone)) == 2 })
	if b := apns.Received(iphone)[1].Payload["aps"].(map[string]any)["badge"]; b != float64(2) {
		t.Fatalf("badge of the second push = %v; want 2", b)
	}
	if r := do(t, "POST", s.URL+"/v1/notifications/read-all", nil, user...); r.Status/100 != 2 {
		t.Fatalf("read all: %d %s", r.Status, r.Body)
	}
	// A dead token: dropped at the first refusal, never tried again. A 429 on the iPhone
	// with Retry-After: 2: retried after it, and the Android phone is not pushed twice.
	if r := do(t, "POST", s.URL+"/v1/push/devices", fmt.Appendf(nil, `{"platform":"fcm","token":%q}`, android2), user...); r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	fcm.Script(android2, mobiletest.Reply{Code: "UNREGISTERED"})
	apns.Script(iphone, mobiletest.Reply{Code: "TooManyRequests", RetryAfter: "2"})
	publishPayment(t, s.URL, "pay-3", "")
	apptest.Eventually(t, "the third push on the iPhone, after its 429", func() bool { return len(apns.Received(iphone)) == 3 })
	if b := apns.Received(iphone)[2].Payload["aps"].(map[string]any)["badge"]; b != float64(1) {
		t.Fatalf("badge after reading all, then one more = %v; want 1", b)
	}
	at := apns.Attempts(iphone)
	if len(at) != 4 || at[3].Sub(at[2]) < 2*time.Second {
		t.Fatalf("iPhone attempts at %v; want the retry of the 429 at least 2 s after it", at)
	}
	if ids := pushedIDs(fcm.Received(android)); len(ids) != 3 || ids[2] == ids[1] {
		t.Fatalf("android got %v; want each of 3 notifications once", ids)
	}
	var list struct{ Devices []struct{ Token string } }
	r := do(t, "GET", s.URL+"/v1/push/devices", nil, user...)
	json.Unmarshal(r.Body, &list)
	if len(list.Devices) != 2 || strings.Contains(string(r.Body), android2) {
		t.Fatalf("devices after the dead token: %s", r.Body)
	}
	publishPayment(t, s.URL, "pay-4", "")
	apptest.Eventually(t, "the fourth push", func() bool { return len(fcm.Received(android)) == 4 && len(apns.Received(iphone)) == 4 })
	if n := len(fcm.Attempts(android2)); n != 1 {
		t.Fatalf("the dead token was tried %d times; want 1", n)
	}
	var st struct {
		Recipients []struct {
			Channels []struct{ Channel, Status, Provider string }
		}
	}
	r = do(t, "GET", s.URL+"/v1/events/pay-3", nil)
	json.Unmarshal(r.Body, &st)
	if len(st.Recipients) != 1 || len(st.Recipients[0].Channels) != 2 || st.Recipients[0].Channels[1].Channel != "mobile" || st.Recipients[0].Channels[1].Status != "sent" {
		t.Fatalf("pay-3's status: %s", r.Body)
	}
	if fcm.TokensMade() != 1 || apns.ProviderTokens() != 1 {
		t.Fatalf("%d access tokens, %d provider tokens; want one of each", fcm.TokensMade(), apns.ProviderTokens())
	}
}

// The admin twin registers, lists and removes any user's devices; erasure removes them.
func TestMobileDevicesAdminAndErasure(t *testing.T) {
	fcm, apns := mobiletest.NewFCM(t), mobiletest.NewAPNs(t)
	s := startApp(t, mobileConfig(t, fcm, apns))
	if r := do(t, "POST", s.URL+"/v1/users/42/devices", fmt.Appendf(nil, `{"platform":"apns","token":%q}`, iphone), "Content-Type", "application/json"); r.Status != 201 {
		t.Fatalf("admin register: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", s.URL+"/v1/users/42/devices", nil); r.Status != 200 || !strings.Contains(string(r.Body), iphone) {
		t.Fatalf("admin list: %d %s", r.Status, r.Body)
	}
	if r := do(t, "DELETE", s.URL+"/v1/push/devices", fmt.Appendf(nil, `{"token":%q}`, iphone), "X-User-Id", "43"); r.Status != 404 {
		t.Fatalf("another user deleting it: %d %s", r.Status, r.Body)
	}
	if r := do(t, "DELETE", s.URL+"/v1/users/42", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"devices":1`) {
		t.Fatalf("erase: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", s.URL+"/v1/push/devices", nil, "X-User-Id", "42"); r.Status != 200 || strings.Contains(string(r.Body), iphone) {
		t.Fatalf("after erasure: %d %s", r.Status, r.Body)
	}
}

// What was tried: start-up with a credentials file that is missing, a .p8 that is an FCM
// service account instead of an EC key: app.New fails with the variable's name.
func TestMobileStartUpRefusesCredentialsThatCannotWork(t *testing.T) {
	fcm, apns := mobiletest.NewFCM(t), mobiletest.NewAPNs(t)
	missing := mobileConfig(t, fcm, apns)
	missing.FCMCredentials = filepath.Join(t.TempDir(), "nope.json")
	notEC := mobileConfig(t, fcm, apns)
	notEC.APNsKeyFile = fcm.Credentials
	for name, c := range map[string]struct {
		cfg  app.Config
		want string
	}{"missing FCM file": {missing, "NOTIFY_FCM_CREDENTIALS"}, "p8 not a key": {notEC, "NOTIFY_APNS_KEY_FILE"}} {
		c.cfg.HTTPAddr, c.cfg.DatabaseURL = "127.0.0.1:0", "sqlite:"+filepath.Join(t.TempDir(), "n.db")
		_, err := app.New(t.Context(), c.cfg)
		if err == nil {
			t.Errorf("%s: started", name)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want it to name %s", name, err, c.want)
		}
	}
}

package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/channel/mobile/mobiletest"
)

// TestMobilePushSurvivesAKill: 100 buyers with an Android and an iPhone each, 5 events to
// all of them (500 notifications, 1,000 pushes; five per buyer stays under the default
// per-recipient cap of 10 an hour); notifyd is SIGKILLed in the middle and
// restarted. Afterwards every device has each notification, and a second copy only where
// a push was in flight at the kill (the service accepted it, notifyd never recorded it):
// at most one per send slot of the mobile worker (8), first sent before the kill, again
// after the restart, with the same collapse id so the phone shows it once. The APNs fake speaks
// HTTP/2 over TLS with a test CA that notifyd trusts through SSL_CERT_FILE.
func TestMobilePushSurvivesAKill(t *testing.T) {
	t.Parallel()
	fcm, apns := mobiletest.NewFCM(t), mobiletest.NewAPNs(t)
	fcm.Delay, apns.Delay = 5*time.Millisecond, 5*time.Millisecond
	cfg := filepath.Join(t.TempDir(), "notify.yaml")
	if err := os.WriteFile(cfg, []byte("types:\n  PAYMENT_FAILED:\n    message: \"결제에 실패했습니다.\"\n    channels: {CUSTOMER: [inbox, mobile]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// sync=normal: no fsync per commit (each push records its device), which survives the
	// process being killed, the failure this test is about.
	db := "NOTIFY_DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "notify.db") + "?sync=normal"
	p := startNotifyd(t, "notifyd", db, "NOTIFY_CONFIG="+cfg,
		"NOTIFY_FCM_CREDENTIALS="+fcm.Credentials, "NOTIFY_FCM_URL="+fcm.URL,
		"NOTIFY_APNS_KEY_FILE="+apns.KeyFile, "NOTIFY_APNS_KEY_ID="+apns.KeyID, "NOTIFY_APNS_TEAM_ID="+apns.TeamID,
		"NOTIFY_APNS_TOPIC="+apns.Topic, "NOTIFY_APNS_URL="+apns.URL, "SSL_CERT_FILE="+apns.CAFile)

	const buyers, events = 100, 5
	var who []string
	for b := range buyers {
		user := fmt.Sprint(2000 + b) // four digits: the APNs token below is 64 hex characters
		who = append(who, fmt.Sprintf(`{"userId":%q,"role":"CUSTOMER"}`, user))
		for _, d := range []string{
			fmt.Sprintf(`{"platform":"fcm","token":"fcm-%s:APA91b%s"}`, user, strings.Repeat("x", 40)),
			fmt.Sprintf(`{"platform":"apns","token":"%s%s"}`, strings.Repeat("0", 60), user),
		} {
			if status, body := call(t, "POST", p.URL+"/v1/push/devices", []byte(d), "X-User-Id", user, "Content-Type", "application/json"); status != http.StatusCreated {
				t.Fatalf("register %s: %d %s", d, status, body)
			}
		}
	}
	for e := range events {
		ev := fmt.Sprintf(`{"whoToNotify":[%s],"publishInformation":{"notificationType":"PAYMENT_FAILED","eventId":"pay-%d","collapseKey":"pay-%d"}}`, strings.Join(who, ","), e, e)
		if status, body := call(t, "POST", p.URL+"/v1/events", []byte(ev), "Content-Type", "application/json"); status != http.StatusAccepted {
			t.Fatalf("POST event %d: %d %s", e, status, body)
		}
	}
	total := func() int { return len(fcm.Received("")) + len(apns.Received("")) }
	deadline := time.Now().Add(waitLong)
	for total() < 300 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d pushes before the kill", total())
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.Kill()
	killed := time.Now()
	t.Logf("killed after %d pushes", total())
	p = p.restart()

	// seen lists the times of the pushes per device and collapse id (one per event).
	seen := func() map[string][]time.Time {
		m := map[string][]time.Time{}
		for _, r := range fcm.Received("") {
			k := r.Token + " " + fmt.Sprint(r.Payload["android"].(map[string]any)["collapse_key"])
			m[k] = append(m[k], r.At)
		}
		for _, r := range apns.Received("") {
			k := r.Token + " " + r.Header.Get("apns-collapse-id")
			m[k] = append(m[k], r.At)
		}
		return m
	}
	for len(seen()) < 2*buyers*events {
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %d of %d device×notification pushes", len(seen()), 2*buyers*events)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Every delivery recorded sent: nothing more will go out.
	for e := range events {
		for {
			_, body := call(t, "GET", p.URL+fmt.Sprintf("/v1/events/pay-%d", e), nil)
			if strings.Count(string(body), `"channel":"mobile","status":"sent"`) == buyers {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("pay-%d not recorded sent for every buyer: %s", e, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	dups := 0
	for k, at := range seen() {
		switch {
		case len(at) > 2:
			t.Errorf("%s pushed %d times", k, len(at))
		case len(at) == 2 && (at[0].After(killed) || at[1].Before(killed)):
			t.Errorf("%s pushed twice, at %v and %v, not across the kill at %v", k, at[0], at[1], killed)
		case len(at) == 2:
			dups++
		}
	}
	t.Logf("%d pushes repeated across the kill", dups)
	if dups > 8 {
		t.Fatalf("%d pushes repeated; at most the 8 the worker had in flight may", dups)
	}
	if fcm.TokensMade() > 2 || apns.ProviderTokens() > 2 { // one per process
		t.Fatalf("%d access tokens, %d provider tokens for two processes", fcm.TokensMade(), apns.ProviderTokens())
	}
}

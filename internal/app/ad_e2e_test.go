package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

const adE2EConfig = `
types:
  SALE:
    advertising: true
    channels: {CUSTOMER: [inbox, sms]}
`

const adFooter = "notifyd 샵 무료수신거부 080-000-0000"

// textGateway is a webhook SMS gateway that keeps the text of every message by event.
type textGateway struct {
	*httptest.Server
	mu   sync.Mutex
	text map[string]string
}

func newTextGateway(t *testing.T) *textGateway {
	g := &textGateway{text: map[string]string{}}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ EventID, Text string }
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.Text == "" {
			http.Error(w, "a body with eventId and text", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.text[m.EventID] = m.Text
		g.mu.Unlock()
		fmt.Fprintf(w, `{"id":"sms-%s"}`, m.EventID)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *textGateway) get(eventID string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.text[eventID]
}

// TestAdvertisingConsentAndMarks: an advertising type to a user without adConsent is
// skipped (no_ad_consent); with consent, by day, its SMS starts with "(광고)" and ends
// with NOTIFY_AD_FOOTER; at night without night consent it is scheduled for 08:00 in the
// user's zone.
func TestAdvertisingConsentAndMarks(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ad.yaml")
	if err := os.WriteFile(p, []byte(adE2EConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	g := newTextGateway(t)
	s := startApp(t, app.Config{ConfigFile: p, SMSProvider: "webhook", SMSWebhookURL: g.URL, AdFooter: adFooter})
	now := time.Now().UTC()
	// Fixed-offset zones where it is now about 13:00 (day) and 01:00 (night).
	day, night := storetest.ZoneAt(now, 13), storetest.ZoneAt(now, 1)
	put := func(user, body string) {
		t.Helper()
		if r := do(t, "PUT", s.URL+"/v1/users/"+user, []byte(body)); r.Status != http.StatusOK {
			t.Fatalf("PUT %s %s: %d %s", user, body, r.Status, r.Body)
		}
	}
	put("none", fmt.Sprintf(`{"phoneNumber":"+821011112222","timeZone":%q}`, day))
	put("day", fmt.Sprintf(`{"phoneNumber":"+821011112222","timeZone":%q,"adConsent":true}`, day))
	put("night", fmt.Sprintf(`{"phoneNumber":"+821011112222","timeZone":%q,"adConsent":true}`, night))

	var prof struct {
		AdConsent, NightAdConsent bool
		AdConsentAt               *time.Time
	}
	do(t, "GET", s.URL+"/v1/users/day", nil).decode(t, &prof)
	if !prof.AdConsent || prof.NightAdConsent || prof.AdConsentAt == nil || prof.AdConsentAt.Before(now.Add(-time.Second)) {
		t.Fatalf("GET a consented profile: %+v, want adConsent with the time it was given", prof)
	}

	// Bad input: a consent that is not a boolean, or a consents body that names neither.
	for _, c := range []struct{ path, body string }{
		{"/v1/users/none", `{"adConsent":"yes"}`},
		{"/v1/consents", `{"nightAdConsent":1}`},
		{"/v1/consents", `{}`},
	} {
		if r := do(t, "PUT", s.URL+c.path, []byte(c.body), "X-User-Id", "none"); r.Status != http.StatusBadRequest {
			t.Errorf("PUT %s %s: %d %s, want 400", c.path, c.body, r.Status, r.Body)
		}
	}
	var own struct{ AdConsent, NightAdConsent bool }
	if r := do(t, "GET", s.URL+"/v1/consents", nil, "X-User-Id", "none"); r.Status != http.StatusOK {
		t.Fatalf("GET /v1/consents: %d %s", r.Status, r.Body)
	} else if r.decode(t, &own); own.AdConsent || own.NightAdConsent {
		t.Fatalf("consents after refused PUTs: %+v, want none given", own)
	}

	publishTo(t, s, "none", "SALE", "ad-none", "")
	publishTo(t, s, "day", "SALE", "ad-day", "")
	publishTo(t, s, "night", "SALE", "ad-night", "")
	if status, reason := smsStatus(t, s, "ad-none"); status != "skipped" || reason != "no_ad_consent" {
		t.Errorf("no consent: %s %s, want skipped no_ad_consent", status, reason)
	}
	apptest.Eventually(t, "the daytime advertisement sent", func() bool { return g.get("ad-day") != "" })
	if text := g.get("ad-day"); !strings.HasPrefix(text, "(광고) m") || !strings.HasSuffix(text, "\n"+adFooter) {
		t.Errorf("advertising SMS text %q: want \"(광고) \" first and the footer last", text)
	}

	var st struct {
		Recipients []struct {
			Channels []struct {
				Channel, Status string
				NextAttemptAt   *time.Time
			}
		}
	}
	do(t, "GET", s.URL+"/v1/events/ad-night", nil).decode(t, &st)
	loc, _ := time.LoadLocation(night)
	local := time.Now().In(loc)
	eight := time.Date(local.Year(), local.Month(), local.Day(), 8, 0, 0, 0, loc)
	c := st.Recipients[0].Channels
	i := 0
	for i < len(c) && c[i].Channel != "sms" {
		i++
	}
	if i == len(c) || c[i].Status != "scheduled" || c[i].NextAttemptAt == nil || !c[i].NextAttemptAt.Equal(eight) {
		t.Fatalf("at %s in %s without night consent: %+v, want sms scheduled for %s", local.Format("15:04"), night, c, eight)
	}
	if g.get("ad-night") != "" {
		t.Fatal("the night advertisement went out")
	}
}

package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

// smsGateway is the webhook SMS provider's other end: it keeps the event id of every SMS.
type smsGateway struct {
	*httptest.Server
	mu     sync.Mutex
	events []string
}

func newSMSGateway(t *testing.T) *smsGateway {
	g := &smsGateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ EventID string }
		_ = json.NewDecoder(r.Body).Decode(&m)
		g.mu.Lock()
		g.events = append(g.events, m.EventID)
		g.mu.Unlock()
		_, _ = w.Write([]byte(`{"id":"sms"}`))
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *smsGateway) sent(eventID string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, e := range g.events {
		if e == eventID {
			n++
		}
	}
	return n
}

func buyerEvent(typ, user, id, message string) map[string]any {
	return map[string]any{
		"whoToNotify":        map[string]any{"userId": user, "role": "CUSTOMER", "phoneNumber": "+821012345678"},
		"publishInformation": map[string]any{"notificationType": typ, "message": message, "url": "https://mypage/questions/1", "eventId": id},
	}
}

// TestSettingsInBrowser: a buyer turns SMS off for ANSWER_REGISTERED in the settings
// view; an answer arrives live in the inbox and no SMS reaches the provider, while
// another type still texts.
func TestSettingsInBrowser(t *testing.T) {
	b := newBrowser(t, 30*time.Second)
	gw := newSMSGateway(t)
	base := apptest.Start(t, app.Config{SMSProvider: "webhook", SMSWebhookURL: gw.URL}).URL
	const user = "31"
	smsBox := `#settings-types input[data-type="ANSWER_REGISTERED"][data-channel="sms"]`

	b.run("sign in and open the settings",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("user-id")),
		chromedp.SendKeys(chromedp.ID("user-id"), user),
		chromedp.Click(chromedp.CSS(`#dev-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
		chromedp.Click(chromedp.ID("settings-open")),
		chromedp.WaitVisible(chromedp.CSS(smsBox)),
	)
	row := get(b, "read the answers row's title", chromedp.Evaluate[string](
		`document.querySelector('`+smsBox+`').closest('tr').querySelector('th').textContent`))
	if row != "Answer to your question" {
		b.fail("the ANSWER_REGISTERED row is titled %q, want its English label", row)
	}
	if mob := get(b, "read the mobile push switch", chromedp.Evaluate[string](
		`(() => { const box = document.querySelector('#settings-channels input[data-channel="mobile"]'); return box ? box.closest('label').textContent.trim() + (box.checked ? ' on' : ' off') : ''; })()`)); mob != "Mobile push on" {
		b.fail("the mobile push switch reads %q, want \"Mobile push on\"", mob)
	}
	if ads := get(b, "read the advertising consents", chromedp.Evaluate[string](
		`['ad-consent','night-ad-consent'].map((id) => document.getElementById(id).checked ? 'on' : 'off').join(' ')`)); ads != "off off" {
		b.fail("the advertising consents read %q, want both shown and off", ads)
	}
	b.run("turn SMS off for answers, agree to advertising and save",
		chromedp.Click(chromedp.ID("ad-consent")),
		chromedp.Click(chromedp.CSS(smsBox)),
		chromedp.Click(chromedp.ID("settings-save")),
		chromedp.WaitVisible(chromedp.CSS(smsBox+":not(:checked)")),
		chromedp.WaitVisible(chromedp.CSS("#ad-consent-at:not(:empty)")), // the consents saved: the time they were given shows
	)
	b.eventually("the server to have the setting", func() bool {
		var p struct{ Types map[string]map[string]bool }
		call(t, http.MethodGet, base+"/v1/preferences", user, nil, &p)
		on, set := p.Types["ANSWER_REGISTERED"]["sms"]
		return set && !on
	})
	var consents struct{ AdConsent, NightAdConsent bool }
	call(t, http.MethodGet, base+"/v1/consents", user, nil, &consents)
	if !consents.AdConsent || consents.NightAdConsent {
		b.fail("consents on the server after saving: %+v, want advertising on, night off", consents)
	}
	status := get(b, "read the save status", chromedp.Text(chromedp.ID("settings-status")))
	if status != "Saved" {
		b.fail("save status %q, want Saved", status)
	}
	b.run("back to the inbox", chromedp.Click(chromedp.ID("settings-close")), chromedp.WaitVisible(chromedp.ID("panel")))

	answer := publish(t, base, buyerEvent("ANSWER_REGISTERED", user, "answer-1", "문의에 답변이 등록되었습니다."))
	publish(t, base, buyerEvent("DELIVERY_STARTED", user, "delivery-1", "배송이 시작되었습니다."))
	b.run("see the answer live", chromedp.WaitVisible(chromedp.CSS(`#list button.item[data-id="`+itoa(answer)+`"]`)))
	b.eventually("the other type's SMS at the provider", func() bool { return gw.sent("delivery-1") == 1 })
	var st struct {
		Recipients []struct {
			Channels []struct{ Channel, Status, Reason string }
		}
	}
	call(t, http.MethodGet, base+"/v1/events/answer-1", "", nil, &st)
	sms := st.Recipients[0].Channels[1]
	if gw.sent("answer-1") != 0 || sms.Channel != "sms" || sms.Status != "skipped" || sms.Reason != "opted_out" {
		b.fail("answer SMS: %d at the provider, status %+v; want none, skipped opted_out", gw.sent("answer-1"), sms)
	}

	// The setting survives a reload and shows as saved.
	b.run("reload and see the switch still off",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
		chromedp.Click(chromedp.ID("settings-open")),
		chromedp.WaitVisible(chromedp.CSS(smsBox+":not(:checked)")),
		chromedp.WaitVisible(chromedp.CSS("#ad-consent:checked")),
	)
	if errs := b.pageErrors(); len(errs) > 0 {
		b.fail("the page logged errors: %v", errs)
	}
}

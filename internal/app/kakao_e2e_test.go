package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/channel/nhn/nhntest"
	"github.com/notifyd/notifyd/internal/channel/solapi/solapitest"
)

const kakaoE2EConfig = `
alimtalk:
  TPL_DELIVERY_STARTED:
    text: "#{고객명}님, 배송이 시작되었습니다.\n송장번호: #{송장번호}"
    buttons: [{type: WL, name: "배송 조회", url: "{{.url}}"}]
types:
  DELIVERY_STARTED:
    url: "https://shop.example/orders/{{.orderId}}"
    channels: {CUSTOMER: [inbox, kakao]}
    kakao:
      template: TPL_DELIVERY_STARTED
      variables: {"고객명": "{{.buyerName}}", "송장번호": "{{.invoiceNo}}"}
`

func kakaoConfigFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "kakao.yaml")
	if err := os.WriteFile(p, []byte(kakaoE2EConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func nhnConfig(t *testing.T, f *nhntest.Fake) app.Config {
	return app.Config{ConfigFile: kakaoConfigFile(t), KakaoProvider: "nhn", SMSProvider: "nhn", KakaoSenderKey: nhntest.SenderKey,
		NHNAppKey: nhntest.AppKey, NHNSecretKey: nhntest.SecretKey, NHNKakaoURL: f.URL, NHNSMSURL: f.URL, SMSFrom: "+82" + nhntest.SendNo[1:],
		NHNWebhookSignature: "hook-sig", ReportPoll: 50 * time.Millisecond, DeliveryBackoff: 50 * time.Millisecond}
}

// kakaoEvent publishes DELIVERY_STARTED to one buyer.
func kakaoEvent(t *testing.T, s *server, id, user, phone, name string) {
	t.Helper()
	body := fmt.Sprintf(`{"whoToNotify":{"userId":%q,"role":"CUSTOMER","phoneNumber":%q},"publishInformation":{"notificationType":"DELIVERY_STARTED","eventId":%q,
		"data":{"orderId":1001,"buyerName":%q,"invoiceNo":"5550001"}}}`, user, phone, id, name)
	if r := do(t, "POST", s.URL+"/v1/events", []byte(body)); r.Status != http.StatusAccepted {
		t.Fatalf("POST %s: %d %s", id, r.Status, r.Body)
	}
}

type channelStatus struct {
	Channel, Status, Provider, ProviderMessageID, ProviderCode, Fallback, FallbackProviderMessageID, LastError string
	Truncated                                                                                                  bool
}

// channels reads the status view of an event: its one recipient's channels by name.
func channels(t *testing.T, s *server, id string) map[string]channelStatus {
	t.Helper()
	var st struct {
		Recipients []struct{ Channels []channelStatus }
	}
	do(t, "GET", s.URL+"/v1/events/"+id, nil).decode(t, &st)
	out := map[string]channelStatus{}
	for _, c := range st.Recipients[0].Channels {
		out[c.Channel] = c
	}
	return out
}

// waitChannel waits until event id's delivery on ch has one of statuses.
func waitChannel(t *testing.T, s *server, id, ch string, statuses ...string) channelStatus {
	t.Helper()
	var c channelStatus
	apptest.Eventually(t, id+" "+ch+" "+strings.Join(statuses, " or "), func() bool {
		c = channels(t, s, id)[ch]
		return slices.Contains(statuses, c.Status)
	})
	return c
}

type reportAnswer struct{ Applied, Duplicates, Pending int }

// postReport sends NHN's result webhook for hooks, signed with sig.
func postReport(t *testing.T, s *server, sig string, hooks ...nhntest.Hook) (int, reportAnswer) {
	t.Helper()
	resp, err := http.DefaultClient.Do(nhntest.ReportRequest(s.URL+"/v1/providers/nhn/reports", sig, hooks...))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans reportAnswer
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, ans
}

// NHN end to end: an AlimTalk goes out and a signed report marks it delivered (a wrong
// signature changes nothing, a replay neither); a buyer without KakaoTalk gets exactly one
// text, an LMS for the long text, and the status view says fallback with its id.
func TestKakaoNHNEndToEnd(t *testing.T) {
	f := nhntest.New(t)
	f.Set(func(f *nhntest.Fake) { f.NoKakao["01099990000"] = true })
	s := startApp(t, nhnConfig(t, f))

	kakaoEvent(t, s, "k-1", "buyer-1", "+821012345678", "김민수")
	k := waitChannel(t, s, "k-1", "kakao", "sent")
	if k.Provider != "nhn" || !strings.HasPrefix(k.ProviderMessageID, "notifyd-") {
		t.Fatalf("kakao %+v", k)
	}
	hook := nhntest.Hook{MessageType: "ALIMTALK", RecipientGroupingKey: k.ProviderMessageID, MessageStatus: "COMPLETED", ResultCode: "1000"}
	for _, sig := range []string{"", "wrong"} {
		if status, _ := postReport(t, s, sig, hook); status != http.StatusUnauthorized {
			t.Fatalf("report signed %q: %d, want 401", sig, status)
		}
	}
	if c := channels(t, s, "k-1")["kakao"]; c.Status != "sent" {
		t.Fatalf("an unsigned report changed the delivery to %s", c.Status)
	}
	if r := do(t, "POST", s.URL+"/v1/providers/nhn/reports", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("empty unsigned report: %d, want 401", r.Status)
	}
	if status, ans := postReport(t, s, "hook-sig", hook); status != http.StatusOK || ans.Applied != 1 {
		t.Fatalf("signed report: %d %+v", status, ans)
	}
	if c := waitChannel(t, s, "k-1", "kakao", "delivered"); c.ProviderCode != "1000" {
		t.Fatalf("delivered %+v", c)
	}
	if status, ans := postReport(t, s, "hook-sig", hook); status != http.StatusOK || ans.Duplicates != 1 || ans.Applied != 0 {
		t.Fatalf("replayed report: %d %+v, want one duplicate", status, ans)
	}
	// A report for a message notifyd never sent is kept (pending), not an error.
	if _, ans := postReport(t, s, "hook-sig", nhntest.Hook{MessageType: "ALIMTALK", RecipientGroupingKey: "notifyd-999999", MessageStatus: "COMPLETED", ResultCode: "1000"}); ans.Pending != 1 {
		t.Fatalf("report for an unknown message: %+v, want pending", ans)
	}
	if r := do(t, "POST", s.URL+"/v1/providers/nhn/reports", []byte(`{"hooks":[`), "X-Toast-Webhook-Signature", "hook-sig"); r.Status != http.StatusBadRequest {
		t.Fatalf("truncated JSON report: %d, want 400", r.Status)
	}
	if r := do(t, "POST", s.URL+"/v1/providers/solapi/reports", []byte(`{}`)); r.Status != http.StatusNotFound {
		t.Fatalf("solapi reports: %d, want 404 (it does not call back)", r.Status)
	}

	// Without KakaoTalk, with a name long enough that the text is an LMS: NHN takes it,
	// resends it as LMS itself (resendParameter) and reports both; notifyd sends nothing.
	f.Hooks() // k-1's result, reported above
	long := strings.Repeat("가", 40)
	kakaoEvent(t, s, "k-2", "buyer-2", "+821099990000", long)
	waitChannel(t, s, "k-2", "kakao", "sent")
	if status, ans := postReport(t, s, "hook-sig", f.Hooks()...); status != http.StatusOK || ans.Applied != 1 {
		t.Fatalf("NHN's report of the resend: %d %+v", status, ans)
	}
	k2 := waitChannel(t, s, "k-2", "kakao", "undelivered")
	if k2.Fallback != "lms" || k2.ProviderCode != "3019" || !strings.HasPrefix(k2.FallbackProviderMessageID, "resend-") {
		t.Fatalf("kakao %+v: want undelivered 3019, fallback lms with NHN's resend id", k2)
	}
	if _, ok := channels(t, s, "k-2")["sms"]; ok {
		t.Fatal("notifyd created its own SMS beside NHN's resend")
	}
	_, texts := f.Counts()
	if texts != 1 || f.SMS[0]["path"] != "mms" || !strings.HasPrefix(f.SMS[0]["body"].(string), long+"님") {
		t.Fatalf("texts sent: %d %+v, want exactly one LMS with the AlimTalk's text", texts, f.SMS)
	}

	// A template mismatch is refused at the call: notifyd's own SMS falls back, once.
	f.Set(func(f *nhntest.Fake) {
		f.Templates["TPL_DELIVERY_STARTED"] = "#{고객명}님, 다른 문구 #{주소}"
	})
	kakaoEvent(t, s, "k-3", "buyer-3", "+821055556666", "최")
	sms := waitChannel(t, s, "k-3", "sms", "sent")
	k3 := channels(t, s, "k-3")["kakao"]
	if k3.Status != "failed" || k3.Fallback != "sms" || k3.ProviderCode != "3016" || k3.FallbackProviderMessageID != sms.ProviderMessageID {
		t.Fatalf("kakao %+v, sms %+v: want failed 3016, fallback sms with the SMS's id", k3, sms)
	}
	if _, texts := f.Counts(); texts != 2 {
		t.Fatalf("%d texts in all, want 2 (one per buyer not reached)", texts)
	}
}

// A provider that times out after taking the AlimTalk: the delivery counts as sent under
// its key and waits; the success report then marks it delivered and nothing more is sent.
func TestKakaoTimeoutThenReport(t *testing.T) {
	f := nhntest.New(t)
	f.Set(func(f *nhntest.Fake) { f.Delay = 3 * time.Second })
	cfg := nhnConfig(t, f)
	cfg.DeliveryTimeout = 200 * time.Millisecond
	s := startApp(t, cfg)
	kakaoEvent(t, s, "k-t", "buyer-t", "+821012345678", "이영희")
	k := waitChannel(t, s, "k-t", "kakao", "sent")
	if !strings.Contains(k.LastError, "outcome unknown") || k.ProviderMessageID == "" {
		t.Fatalf("after the timeout: %+v, want sent, outcome unknown, under its key", k)
	}
	if status, _ := postReport(t, s, "hook-sig", nhntest.Hook{MessageType: "ALIMTALK", RecipientGroupingKey: k.ProviderMessageID, MessageStatus: "COMPLETED", ResultCode: "1000"}); status != http.StatusOK {
		t.Fatalf("report: %d", status)
	}
	waitChannel(t, s, "k-t", "kakao", "delivered")
	if at, texts := f.Counts(); at != 1 || texts != 0 {
		t.Fatalf("%d AlimTalks and %d texts, want one AlimTalk and nothing more", at, texts)
	}
	if _, ok := channels(t, s, "k-t")["sms"]; ok {
		t.Fatal("an SMS delivery exists after a timeout that was reported delivered")
	}
}

// Solapi, which does not call back: the message list says the buyer has no KakaoTalk,
// and exactly one SMS follows; NOTIFY_KAKAO_PROVIDER=nhn,solapi with NHN down sends
// through Solapi.
func TestKakaoSolapiPollingAndFailover(t *testing.T) {
	down := nhntest.New(t)
	down.Set(func(f *nhntest.Fake) { f.Answer = http.StatusServiceUnavailable })
	f := solapitest.New(t)
	f.Set(func(f *solapitest.Fake) { f.NoKakao["01099990000"] = true })
	cfg := nhnConfig(t, down)
	cfg.KakaoProvider, cfg.SMSProvider = "nhn,solapi", "solapi"
	cfg.SolapiAPIKey, cfg.SolapiAPISecret, cfg.SolapiURL, cfg.KakaoSenderKey = solapitest.APIKey, solapitest.APISecret, f.URL, solapitest.PfID
	s := startApp(t, cfg)

	kakaoEvent(t, s, "s-1", "buyer-1", "+821012345678", "김민수")
	k := waitChannel(t, s, "s-1", "kakao", "delivered")
	if k.Provider != "solapi" {
		t.Fatalf("kakao %+v, want sent by solapi after nhn failed", k)
	}
	kakaoEvent(t, s, "s-2", "buyer-2", "+821099990000", "박지성")
	// Solapi's polled result may move the SMS on to delivered before it is seen sent.
	sms := waitChannel(t, s, "s-2", "sms", "sent", "delivered")
	k2 := channels(t, s, "s-2")["kakao"]
	if k2.Status != "undelivered" || k2.Fallback != "sms" || k2.ProviderCode != "3019" || k2.FallbackProviderMessageID != sms.ProviderMessageID {
		t.Fatalf("kakao %+v, sms %+v: want undelivered 3019 and one SMS", k2, sms)
	}
	if n := f.Count("SMS") + f.Count("LMS"); n != 1 {
		t.Fatalf("%d texts, want 1", n)
	}
}

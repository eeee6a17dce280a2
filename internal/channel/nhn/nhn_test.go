package nhn_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/kakao"
	"github.com/notifyd/notifyd/internal/channel/nhn"
	"github.com/notifyd/notifyd/internal/channel/nhn/nhntest"
	"github.com/notifyd/notifyd/internal/store"
)

const config = `
alimtalk:
  TPL_DELIVERY_STARTED:
    text: "#{고객명}님, 배송이 시작되었습니다.\n송장번호: #{송장번호}"
    buttons: [{type: WL, name: "배송 조회", url: "{{.url}}"}]
types:
  DELIVERY_STARTED:
    channels: {CUSTOMER: [inbox, kakao]}
    kakao:
      template: TPL_DELIVERY_STARTED
      variables: {"고객명": "{{.buyerName}}", "송장번호": "{{.invoiceNo}}"}
`

func setup(t *testing.T) (*nhntest.Fake, kakao.Sender, *nhn.Client) {
	f := nhntest.New(t)
	reg, err := notify.LoadRegistry(strings.NewReader(config))
	if err != nil {
		t.Fatal(err)
	}
	c := &nhn.Client{AppKey: nhntest.AppKey, SecretKey: nhntest.SecretKey, KakaoURL: f.URL, SMSURL: f.URL, SenderKey: nhntest.SenderKey, From: nhntest.SendNo}
	return f, kakao.Sender{Types: reg, Provider: nhn.AlimTalk{Client: c}}, c
}

func msg(id int64, to, data string) notify.Message {
	return notify.Message{DeliveryID: id, Channel: notify.ChannelKakao, To: to, Type: "DELIVERY_STARTED", Text: "배송이 시작되었습니다.", URL: "https://shop/o/1", Data: json.RawMessage(data)}
}

const buyer = `{"buyerName":"김민수","invoiceNo":"1234"}`

func TestAlimTalkAccepted(t *testing.T) {
	f, s, _ := setup(t)
	r, err := s.Send(context.Background(), msg(7, "+821012345678", buyer))
	if err != nil {
		t.Fatal(err)
	}
	if r.Provider != "nhn" || r.ProviderID != "notifyd-7" || !r.ProviderFallback || r.FallbackPlan != "" {
		t.Fatalf("receipt %+v: want nhn, its grouping key, NHN's own fallback (no plan for notifyd)", r)
	}
	rc := f.AlimTalks[0]
	rp := rc["resendParameter"].(map[string]any)
	if rc["recipientNo"] != "01012345678" || rp["isResend"] != true || rp["resendType"] != "SMS" || !strings.HasPrefix(rp["resendContent"].(string), "김민수님") {
		t.Fatalf("sent %+v", rc)
	}
	// A retry of the same delivery carries the same key: NHN refuses it (-1005), no second
	// message goes out, and the outcome is left to NHN's report (unknown, under the key).
	_, err = s.Send(context.Background(), msg(7, "+821012345678", buyer))
	if e := channel.AsError(err); e == nil || e.Kind != channel.KindUnknown || e.Receipt.ProviderID != "notifyd-7" || len(f.AlimTalks) != 1 {
		t.Fatalf("retry = %v; %d sent, want unknown under notifyd-7 and 1 sent", err, len(f.AlimTalks))
	}
}

func TestAlimTalkRefusalsAndFailures(t *testing.T) {
	f, s, _ := setup(t)
	// Not a KakaoTalk user: NHN takes it, resends it as SMS itself and reports both.
	f.NoKakao["01099990000"] = true
	r, err := s.Send(context.Background(), msg(1, "+821099990000", buyer))
	if err != nil || !r.ProviderFallback || r.FallbackPlan != "" {
		t.Fatalf("not a KakaoTalk user: %+v, %v; want taken, NHN falling back itself", r, err)
	}
	if _, texts := f.Counts(); texts != 1 {
		t.Fatalf("NHN's resend: %d texts, want 1", texts)
	}
	if h := f.Hooks(); len(h) != 1 || h[0].ResultCode != "3019" || h[0].ResendStatus != "RSC03" {
		t.Fatalf("reported %+v", h)
	}
	// A template mismatch is refused at the call, and notifyd plans its own fallback.
	f.Templates["TPL_DELIVERY_STARTED"] = "다른 #{고객명} 문구 #{주소}"
	_, err = s.Send(context.Background(), msg(2, "+821012345678", buyer))
	e := channel.AsError(err)
	if e == nil || e.Kind != channel.KindRefused || e.Code != "3016" || e.Receipt.FallbackPlan != "sms" || !strings.HasPrefix(e.Receipt.FallbackText, "김민수님") {
		t.Fatalf("template mismatch: %v (%+v), want refused 3016 with notifyd's SMS fallback planned", err, e)
	}
	// An empty variable fails before any call.
	n := len(f.AlimTalks)
	_, err = s.Send(context.Background(), msg(3, "+821012345678", `{"buyerName":"","invoiceNo":"1"}`))
	if e := channel.AsError(err); e == nil || e.Kind != channel.KindPermanent || e.Reason != notify.ReasonTemplateVariableEmpty {
		t.Fatalf("empty variable: %v, want permanent template_variable_empty", err)
	}
	// A non-Korean number is skipped, not sent.
	if _, err := s.Send(context.Background(), msg(4, "+14155550100", buyer)); channel.SkipReason(err) != notify.ReasonNotKoreanNumber {
		t.Fatalf("US number: %v, want skipped not_korean_number", err)
	}
	if len(f.AlimTalks) != n {
		t.Fatal("a message was sent for an empty variable or a foreign number")
	}
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		f.Answer = status
		if _, err := s.Send(context.Background(), msg(5, "+821012345678", buyer)); channel.KindOf(err) != channel.KindTransient {
			t.Fatalf("http %d: %v, want transient", status, err)
		}
	}
	f.Answer = 0
	c := *s.Provider.(nhn.AlimTalk).Client
	c.SecretKey = "wrong"
	if _, err := (kakao.Sender{Types: s.Types, Provider: nhn.AlimTalk{Client: &c}}).Send(context.Background(), msg(6, "+821012345678", buyer)); channel.KindOf(err) != channel.KindPermanent {
		t.Fatalf("wrong secret: %v, want permanent", err)
	}
}

func TestAlimTalkTimeoutIsUnknown(t *testing.T) {
	_, s, c := setup(t)
	stall := make(chan struct{})
	slow := nhntest.New(t)
	slow.Config.Handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-stall })
	t.Cleanup(func() { close(stall) })
	c.KakaoURL = slow.URL
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := s.Send(ctx, msg(9, "+821012345678", buyer))
	e := channel.AsError(err)
	if e == nil || e.Kind != channel.KindUnknown || e.Receipt.ProviderID != "notifyd-9" {
		t.Fatalf("timeout: %v, want unknown under notifyd-9", err)
	}
}

func TestSMSAndLMS(t *testing.T) {
	f, _, c := setup(t)
	p := nhn.SMS{Client: c}
	if _, err := p.Send(context.Background(), notify.Message{DeliveryID: 1, To: "+821012345678", Text: "배송이 시작되었습니다."}); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("긴 안내문입니다. ", 300) // ~3,000 bytes
	r, err := p.Send(context.Background(), notify.Message{DeliveryID: 2, To: "+821012345678", Text: long, URL: "https://shop/o/1"})
	if err != nil || !r.Truncated {
		t.Fatalf("3,000-byte text: %+v, %v; want sent truncated", r, err)
	}
	if f.SMS[0]["path"] != "sms" || f.SMS[1]["path"] != "mms" || f.SMS[1]["title"] == "" || !strings.HasSuffix(f.SMS[1]["body"].(string), "https://shop/o/1") {
		t.Fatalf("requests %+v: want sms, then mms with a title and the link kept", f.SMS)
	}
	if _, err := p.Send(context.Background(), notify.Message{DeliveryID: 3, To: "+447700900123", Text: "x"}); channel.SkipReason(err) != notify.ReasonNotKoreanNumber {
		t.Fatalf("UK number: %v", err)
	}
	c.From = "0299998888"
	if _, err := p.Send(context.Background(), notify.Message{DeliveryID: 4, To: "+821012345678", Text: "x"}); channel.KindOf(err) != channel.KindPermanent {
		t.Fatalf("unregistered sender number: %v, want permanent", err)
	}
}

func TestReports(t *testing.T) {
	p := nhn.Reports{Signature: "sig-1"}
	body := []byte(`{"hooksId":"h1","productName":"KakaoTalk Bizmessage","hooks":[
		{"messageType":"ALIMTALK","requestId":"r","recipientSeq":1,"recipientGroupingKey":"notifyd-1","messageStatus":"COMPLETED","resultCode":"1000","resultCodeName":"성공"},
		{"messageType":"ALIMTALK","requestId":"r","recipientSeq":2,"recipientGroupingKey":"notifyd-2","messageStatus":"FAILED","resultCode":"3019","resultCodeName":"톡 유저가 아님","resendStatus":"RSC03","resendType":"LMS","resendRequestId":"rs-2"},
		{"messageType":"ALIMTALK","requestId":"r","recipientSeq":3,"recipientGroupingKey":"notifyd-3","messageStatus":"FAILED","resultCode":"3018","resultCodeName":"전송 불가"}]}`)
	for _, sig := range []string{"", "sig-2", "SIG-1"} {
		h := http.Header{}
		if sig != "" {
			h.Set("X-Toast-Webhook-Signature", sig)
		}
		if _, err := p.Parse(h, body); !errors.Is(err, store.ErrBadSignature) {
			t.Fatalf("signature %q: %v, want ErrBadSignature", sig, err)
		}
	}
	h := http.Header{"X-Toast-Webhook-Signature": {"sig-1"}}
	rs, err := p.Parse(h, body)
	if err != nil || len(rs) != 3 {
		t.Fatalf("parse = %+v, %v", rs, err)
	}
	if rs[0].Status != notify.StatusDelivered || rs[0].MessageID != "notifyd-1" ||
		rs[1].Status != notify.StatusUndelivered || rs[1].Fallback != "lms" || rs[1].FallbackID != "rs-2" ||
		!rs[2].Refused || rs[2].Fallback != "" {
		t.Fatalf("reports %+v", rs)
	}
	if _, err := p.Parse(h, []byte(`{"hooks":[{"recipientGroupingKey":"x","messageStatus":"MAYBE"}]}`)); err == nil {
		t.Fatal("an unknown messageStatus was taken")
	}
	if _, err := (nhn.Reports{}).Parse(http.Header{"X-Toast-Webhook-Signature": {""}}, body); !errors.Is(err, store.ErrBadSignature) {
		t.Fatal("with no signature configured, an empty header was taken")
	}
}

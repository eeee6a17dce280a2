package solapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/kakao"
	"github.com/notifyd/notifyd/internal/channel/solapi"
	"github.com/notifyd/notifyd/internal/channel/solapi/solapitest"
)

const config = `
alimtalk:
  TPL_DELIVERY_STARTED:
    text: "#{고객명}님, 배송이 시작되었습니다.\n송장번호: #{송장번호}"
types:
  DELIVERY_STARTED:
    channels: {CUSTOMER: [inbox, kakao]}
    kakao:
      template: TPL_DELIVERY_STARTED
      variables: {"고객명": "{{.buyerName}}", "송장번호": "{{.invoiceNo}}"}
`

func setup(t *testing.T) (*solapitest.Fake, *solapi.Client, kakao.Sender) {
	f := solapitest.New(t)
	reg, err := notify.LoadRegistry(strings.NewReader(config))
	if err != nil {
		t.Fatal(err)
	}
	c := &solapi.Client{APIKey: solapitest.APIKey, APISecret: solapitest.APISecret, URL: f.URL, PfID: solapitest.PfID, From: solapitest.From}
	return f, c, kakao.Sender{Types: reg, Provider: solapi.AlimTalk{Client: c}}
}

func alim(id int64, to string) notify.Message {
	return notify.Message{DeliveryID: id, To: to, Type: "DELIVERY_STARTED", Text: "배송", Data: json.RawMessage(`{"buyerName":"김민수","invoiceNo":"1234"}`)}
}

func TestAuthorizationHeader(t *testing.T) {
	at := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	got := solapi.Authorization("KEY", "SECRET", at, "0123456789abcdef")
	// hex(HMAC-SHA256("SECRET", "2026-12-07T00:00:00Z0123456789abcdef")), computed with openssl dgst.
	want := "HMAC-SHA256 apiKey=KEY, date=2026-12-07T00:00:00Z, salt=0123456789abcdef, signature=%s"
	if got != fmt.Sprintf(want, "ded063865961fb109493daa24cb5c1174d3dc58c05fd87c6fdf5d623b35255d5") {
		t.Fatalf("header %q", got)
	}
}

func TestSignatureCheckedByTheServer(t *testing.T) {
	_, c, s := setup(t)
	bad := *c
	bad.APISecret = "other"
	if _, err := (kakao.Sender{Types: s.Types, Provider: solapi.AlimTalk{Client: &bad}}).Send(context.Background(), alim(1, "+821012345678")); channel.KindOf(err) != channel.KindPermanent || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %v", err)
	}
	skewed := *c
	skewed.Now = func() time.Time { return time.Now().Add(-time.Hour) }
	if _, err := (kakao.Sender{Types: s.Types, Provider: solapi.AlimTalk{Client: &skewed}}).Send(context.Background(), alim(1, "+821012345678")); err == nil || !strings.Contains(err.Error(), "RequestTimeTooSkewed") {
		t.Fatalf("an hour-old date: %v", err)
	}
}

func TestAlimTalkThenResults(t *testing.T) {
	f, c, s := setup(t)
	f.NoKakao["01099990000"] = true
	r1, err := s.Send(context.Background(), alim(1, "+821012345678"))
	if err != nil || r1.ProviderID == "" || r1.FallbackPlan != "sms" || r1.ProviderFallback {
		t.Fatalf("send = %+v, %v; want a message id and notifyd's fallback planned", r1, err)
	}
	ko := f.Sent[0]["kakaoOptions"].(map[string]any)
	if ko["disableSms"] != true || ko["variables"].(map[string]any)["#{고객명}"] != "김민수" || f.Sent[0]["customFields"].(map[string]any)["notifyd"] != "notifyd-1" {
		t.Fatalf("sent %+v", f.Sent[0])
	}
	r2, err := s.Send(context.Background(), alim(2, "+821099990000"))
	if err != nil {
		t.Fatalf("Solapi takes a message to a non-KakaoTalk number and reports later: %v", err)
	}
	reports, err := c.Results(context.Background(), []string{r1.ProviderID, r2.ProviderID, "M-unknown"})
	if err != nil || len(reports) != 2 {
		t.Fatalf("results = %+v, %v", reports, err)
	}
	if reports[0].Status != notify.StatusDelivered || reports[1].Status != notify.StatusUndelivered || !reports[1].Refused || reports[1].Code != "3019" {
		t.Fatalf("reports %+v: want delivered, then undelivered refused 3019", reports)
	}
}

func TestFailures(t *testing.T) {
	f, c, s := setup(t)
	f.Templates["TPL_DELIVERY_STARTED"] = "#{다른변수}"
	if _, err := s.Send(context.Background(), alim(1, "+821012345678")); channel.KindOf(err) != channel.KindRefused {
		t.Fatalf("template mismatch: %v, want refused", err)
	}
	for _, status := range []int{http.StatusTooManyRequests, http.StatusBadGateway} {
		f.Answer = status
		if _, err := s.Send(context.Background(), alim(2, "+821012345678")); channel.KindOf(err) != channel.KindTransient {
			t.Fatalf("http %d: %v, want transient", status, err)
		}
	}
	f.Answer = 0
	p := solapi.SMS{Client: c}
	long := strings.Repeat("가", 1600) // 3,200 bytes
	r, err := p.Send(context.Background(), notify.Message{DeliveryID: 3, To: "+821012345678", Text: long, URL: "https://s/1"})
	if err != nil || !r.Truncated || f.Sent[len(f.Sent)-1]["type"] != "LMS" {
		t.Fatalf("long SMS: %+v, %v; want an LMS, truncated", r, err)
	}
	if _, err := p.Send(context.Background(), notify.Message{DeliveryID: 4, To: "+821012345678", Text: "짧은 문자"}); err != nil || f.Sent[len(f.Sent)-1]["type"] != "SMS" {
		t.Fatalf("short SMS: %v", err)
	}
	if _, err := p.Send(context.Background(), notify.Message{DeliveryID: 5, To: "+33612345678", Text: "x"}); channel.SkipReason(err) != notify.ReasonNotKoreanNumber {
		t.Fatalf("French number: %v", err)
	}
	c.From = "0299990000"
	if _, err := p.Send(context.Background(), notify.Message{DeliveryID: 6, To: "+821012345678", Text: "x"}); channel.KindOf(err) != channel.KindPermanent {
		t.Fatalf("unregistered sender: %v", err)
	}
}

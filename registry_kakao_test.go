package notify_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
)

const kakaoConfig = `
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

func TestKakaoRendersTemplate(t *testing.T) {
	reg, err := notify.LoadRegistry(strings.NewReader(kakaoConfig))
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := reg.Lookup("DELIVERY_STARTED")
	m := notify.Message{Type: "DELIVERY_STARTED", URL: "https://shop/o/1", Data: json.RawMessage(`{"buyerName":"김민수","invoiceNo":1234567890}`)}
	a, err := typ.AlimTalk(m)
	if err != nil {
		t.Fatal(err)
	}
	if a.Template != "TPL_DELIVERY_STARTED" || a.Fallback != notify.KakaoFallbackSMS ||
		a.Text != "김민수님, 배송이 시작되었습니다.\n송장번호: 1234567890" || a.Variables["송장번호"] != "1234567890" {
		t.Fatalf("rendered %+v", a)
	}
	if len(a.Buttons) != 1 || a.Buttons[0].URL != "https://shop/o/1" || a.Buttons[0].Type != "WL" {
		t.Fatalf("buttons %+v", a.Buttons)
	}
	// An empty variable (and a missing one) is refused before any call, naming it.
	for _, data := range []string{`{"buyerName":"","invoiceNo":1}`, `{"invoiceNo":1}`} {
		m.Data = json.RawMessage(data)
		_, err := typ.AlimTalk(m)
		var ev *notify.EmptyVariableError
		if !errors.As(err, &ev) || ev.Variable != "고객명" || ev.Type != "DELIVERY_STARTED" {
			t.Fatalf("data %s: err %v, want an EmptyVariableError naming 고객명", data, err)
		}
	}
}

func TestKakaoConfigRefusedAtStart(t *testing.T) {
	for _, c := range []struct{ what, yaml, want string }{
		{"unknown template", strings.Replace(kakaoConfig, "template: TPL_DELIVERY_STARTED", "template: TPL_NOPE", 1), `"TPL_NOPE" is not a template`},
		{"a #{…} left unfilled", strings.Replace(kakaoConfig, `, "송장번호": "{{.invoiceNo}}"`, "", 1), "DELIVERY_STARTED, variable 송장번호"},
		{"a variable the template lacks", strings.Replace(kakaoConfig, `"송장번호": "{{.invoiceNo}}"`, `"송장번호": "{{.invoiceNo}}", "주소": "x"`, 1), "has no #{주소}"},
		{"kakao channel without a kakao block", "types:\n  T:\n    message: m\n    channels: {CUSTOMER: [kakao]}\n", "types.T.kakao: is required"},
		{"kakao on an advertising type", strings.Replace(kakaoConfig, "    kakao:\n", "    advertising: true\n    kakao:\n", 1), "advertising type"},
		{"bad fallback", strings.Replace(kakaoConfig, "      template:", "      fallback: email\n      template:", 1), `"email" is not sms or none`},
	} {
		_, err := notify.LoadRegistry(strings.NewReader(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want one containing %q", c.what, err, c.want)
		}
	}
}

func TestExampleKakaoConfigLoads(t *testing.T) {
	f, err := os.Open("examples/config-kakao.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg, err := notify.LoadRegistry(f)
	if err != nil {
		t.Fatal(err)
	}
	if typ, _ := reg.Lookup("DELIVERY_STARTED"); typ.Kakao == nil {
		t.Fatal("DELIVERY_STARTED has no kakao block")
	}
	if typ, _ := reg.Lookup("EVENT_PROMOTION"); !typ.Advertising {
		t.Fatal("EVENT_PROMOTION is not advertising")
	}
}

package httpapi_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

const previewConfig = `
alimtalk:
  TPL_DELIVERY_STARTED:
    text: "#{고객명}님, 주문하신 상품의 배송이 시작되었습니다.\n송장번호: #{송장번호}"
    buttons: [{type: WL, name: "배송 조회", url: "{{.url}}"}]
types:
  DELIVERY_STARTED:
    url: "https://shop.example/orders/{{.orderId}}"
    channels: {CUSTOMER: [inbox, kakao]}
    kakao:
      template: TPL_DELIVERY_STARTED
      variables: {"고객명": "{{.buyerName}}", "송장번호": "{{.invoiceNo}}"}
  EVENT_PROMOTION:
    advertising: true
    labels: {ko: 할인 안내, en: Sale}
    channels: {CUSTOMER: [inbox, sms, email]}
`

const previewFooter = "notifyd 샵 무료수신거부 080-000-0000"

// The preview of a kakao type shows the AlimTalk as its provider gets it (template code,
// filled text, buttons with their links, the SMS/LMS fallback with its EUC-KR size) and
// the template check, which fails naming the variable when the sample lacks its data; an
// advertising type's SMS, email and mobile push carry the marks as sent.
func TestConsolePreviewKakaoAndAdvertising(t *testing.T) {
	cfgFile := filepath.Join(t.TempDir(), "notify.yaml")
	if err := os.WriteFile(cfgFile, []byte(previewConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	base := apptest.Start(t, app.Config{AdminToken: consoleAdmin, ConfigFile: cfgFile, AdFooter: previewFooter}).URL
	admin := map[string]string{"Authorization": "Bearer " + consoleAdmin, "Content-Type": "application/json"}

	a := send(t, "POST", base+"/v1/admin/preview", admin, `{"event":{"whoToNotify":{"userId":"u","role":"CUSTOMER","phoneNumber":"+821012345678"},
		"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송 시작","data":{"orderId":7,"buyerName":"김민수","invoiceNo":"5550001"}}}}`)
	k, _ := a.body["kakao"].(map[string]any)
	if a.status != http.StatusOK || k == nil {
		t.Fatalf("preview of a kakao type: %d %v, want its AlimTalk", a.status, a.body)
	}
	text := "김민수님, 주문하신 상품의 배송이 시작되었습니다.\n송장번호: 5550001"
	check, _ := k["check"].(map[string]any)
	if k["template"] != "TPL_DELIVERY_STARTED" || k["text"] != text || check["ok"] != true || !strings.Contains(k["approved"].(string), "#{고객명}") {
		t.Fatalf("AlimTalk: %v, want the template filled and the check passed", k)
	}
	buttons, _ := k["buttons"].([]any)
	if len(buttons) != 1 || buttons[0].(map[string]any)["url"] != "https://shop.example/orders/7" {
		t.Fatalf("buttons: %v, want the link rendered", k["buttons"])
	}
	// The fallback is the AlimTalk's text and the link: 25 syllables (50 bytes), 16 ASCII
	// characters and a newline, then a space and the 29-character link: 96 bytes, an LMS
	// titled with its first line cut to 40 bytes.
	fb, _ := k["fallback"].(map[string]any)
	if fb == nil || fb["kind"] != "LMS" || fb["bytes"] != float64(96) || fb["text"] != text+" https://shop.example/orders/7" || fb["subject"] != "김민수님, 주문하신 상품의 배송이 시작되" {
		t.Fatalf("fallback: %v, want a 96-byte LMS", fb)
	}
	if _, ok := k["number"]; ok {
		t.Fatalf("a +82 number flagged: %v", k["number"])
	}

	// No buyerName: the send-time check fails on #{고객명}, as the delivery would.
	a = send(t, "POST", base+"/v1/admin/preview", admin, `{"event":{"whoToNotify":{"userId":"u","role":"CUSTOMER","phoneNumber":"+14155550100"},
		"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송 시작","data":{"orderId":7,"invoiceNo":"5550001"}}}}`)
	k, _ = a.body["kakao"].(map[string]any)
	check, _ = k["check"].(map[string]any)
	if a.status != http.StatusOK || check["ok"] != false || check["reason"] != "template_variable_empty" || check["variable"] != "고객명" || k["text"] != nil || k["number"] != "not_korean_number" {
		t.Fatalf("a sample without buyerName to a US number: %d %v, want the check failed on 고객명 and the number flagged", a.status, a.body)
	}

	a = send(t, "POST", base+"/v1/admin/preview", admin, `{"event":{"whoToNotify":{"userId":"u","role":"CUSTOMER","phoneNumber":"+821012345678","email":"u@example.com"},
		"publishInformation":{"notificationType":"EVENT_PROMOTION","message":"겨울 세일 30%"}}}`)
	sms, _ := a.body["sms"].(map[string]any)
	email, _ := a.body["email"].(map[string]any)
	mp, _ := a.body["mobilePush"].(map[string]any)
	marked := "(광고) 겨울 세일 30%\n" + previewFooter
	if a.status != http.StatusOK || a.body["advertising"] != true || a.body["adFooter"] != previewFooter || a.body["kakao"] != nil {
		t.Fatalf("preview of an advertising type: %d %v", a.status, a.body)
	}
	// "(광고) " 7 bytes, the message 13, a newline, the footer 36: 57 bytes, an SMS.
	if sms["text"] != marked || sms["bytes"] != float64(57) || sms["kind"] != "SMS" {
		t.Fatalf("advertising SMS: %v, want %q", sms, marked)
	}
	if !strings.HasPrefix(email["subject"].(string), "(광고) ") || !strings.Contains(email["text"].(string), previewFooter) || !strings.Contains(email["html"].(string), "<p>(광고)</p>") {
		t.Fatalf("advertising email: %v, want the marks", email)
	}
	if mp["title"] != "할인 안내" || mp["body"] != marked {
		t.Fatalf("advertising mobile push: %v, want titled 할인 안내 with the marks", mp)
	}
}

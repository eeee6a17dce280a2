package notify_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
)

func prepare(t *testing.T, reg *notify.Registry, body string) (*notify.Prepared, error) {
	t.Helper()
	evs, err := notify.DecodeEvents([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return reg.Prepare(evs[0], notify.DefaultLimits)
}

func TestBuiltinTypesAndTemplates(t *testing.T) {
	reg := notify.DefaultRegistry()
	for _, name := range []string{"ORDER_CREATED", "DELIVERY_STARTED", "DELIVERY_COMPLETED", "QUESTION_REGISTERED", "ANSWER_REGISTERED", "RESTOCK"} {
		if _, ok := reg.Lookup(name); !ok {
			t.Errorf("built-in type %s missing", name)
		}
	}
	tests := []struct {
		name, body, message, url string
		code                     notify.Code
	}{
		{"rendered from data", `{"whoToNotify":{"userId":1,"role":"CUSTOMER"},"publishInformation":{"notificationType":"DELIVERY_COMPLETED","data":{"orderId":1001}}}`,
			"배송이 완료되었습니다.", "https://mypage/orders/1001", ""},
		{"producer text wins", `{"whoToNotify":{"userId":1,"role":"CUSTOMER"},"publishInformation":{"notificationType":"DELIVERY_COMPLETED","message":"직접","url":"https://a/b"}}`,
			"직접", "https://a/b", ""},
		{"restock with product name", `{"whoToNotify":{"userId":1,"role":"CUSTOMER"},"publishInformation":{"notificationType":"RESTOCK","data":{"productId":5,"productName":"운동화"}}}`,
			"운동화 상품이 재입고되었습니다.", "https://shop/products/5", ""},
		{"restock without product name", `{"whoToNotify":{"userId":1,"role":"CUSTOMER"},"publishInformation":{"notificationType":"RESTOCK","data":{"productId":5}}}`,
			"관심 상품이 재입고되었습니다.", "https://shop/products/5", ""},
		{"large ids render as integers", `{"whoToNotify":{"userId":1,"role":"CUSTOMER"},"publishInformation":{"notificationType":"ORDER_CREATED","data":{"orderId":12345678901}}}`,
			"주문이 완료되었습니다.", "https://mypage/orders/12345678901", ""},
		{"template needs missing data", `{"whoToNotify":{"userId":1,"role":"CUSTOMER"},"publishInformation":{"notificationType":"DELIVERY_COMPLETED"}}`,
			"", "", notify.CodeInvalidEvent},
		{"unknown type", `{"whoToNotify":{"userId":1,"role":"CUSTOMER"},"publishInformation":{"notificationType":"NOPE","message":"x"}}`,
			"", "", notify.CodeUnknownType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := prepare(t, reg, tc.body)
			if tc.code != "" {
				if notify.ErrorCode(err) != tc.code {
					t.Fatalf("err %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Event.Message != tc.message || p.Event.URL != tc.url {
				t.Fatalf("rendered %q %q, want %q %q", p.Event.Message, p.Event.URL, tc.message, tc.url)
			}
		})
	}
}

func TestDefaultRouting(t *testing.T) {
	p, err := prepare(t, notify.DefaultRegistry(), `{"whoToNotify":[{"userId":1,"role":"CUSTOMER"},{"userId":2,"role":"OWNER"},{"userId":3,"role":"ADMIN"},{"userId":1,"role":"CUSTOMER"}],
		"publishInformation":{"notificationType":"ORDER_CREATED","data":{"orderId":1}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Targets) != 3 {
		t.Fatalf("%d targets, want 3 (a repeated recipient is kept once)", len(p.Targets))
	}
	want := [][]notify.Channel{{notify.ChannelInbox, notify.ChannelSMS}, {notify.ChannelInbox}, {notify.ChannelInbox}}
	for i, tg := range p.Targets {
		if !slices.Equal(tg.Channels, want[i]) {
			t.Errorf("%s routed to %v, want %v", tg.Role, tg.Channels, want[i])
		}
	}
}

func TestLoadRegistry(t *testing.T) {
	reg, err := notify.LoadRegistry(strings.NewReader(`
types:
  PRICE_DROP:
    message: "{{.productName}} 가격이 내려갔습니다."
    url: "https://shop/products/{{.productId}}"
    channels:
      customer: [sse]
  DELIVERY_STARTED:
    channels:
      OWNER: [sse, sms]
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := prepare(t, reg, `{"whoToNotify":[{"userId":1,"role":"CUSTOMER"},{"userId":2,"role":"OWNER"}],"publishInformation":{"notificationType":"PRICE_DROP","data":{"productId":9,"productName":"가방"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if p.Event.Message != "가방 가격이 내려갔습니다." || p.Event.URL != "https://shop/products/9" {
		t.Fatalf("rendered %q %q", p.Event.Message, p.Event.URL)
	}
	if !slices.Equal(p.Targets[0].Channels, []notify.Channel{notify.ChannelInbox}) || !slices.Equal(p.Targets[1].Channels, []notify.Channel{notify.ChannelInbox}) {
		t.Fatalf("PRICE_DROP routing %v %v", p.Targets[0].Channels, p.Targets[1].Channels)
	}
	ds, _ := reg.Lookup("DELIVERY_STARTED")
	if ds.Message != "배송이 시작되었습니다." || !slices.Equal(ds.ChannelsFor(notify.RoleOwner), []notify.Channel{notify.ChannelInbox, notify.ChannelSMS}) ||
		!slices.Equal(ds.ChannelsFor(notify.RoleCustomer), []notify.Channel{notify.ChannelInbox, notify.ChannelSMS}) {
		t.Fatalf("override kept the built-in text and other roles? %+v", ds)
	}

	for _, bad := range []string{
		"types:\n  X:\n    channels:\n      GUEST: [sse]\n",
		"types:\n  X:\n    channels:\n      OWNER: [fax]\n",
		"types:\n  X:\n    message: \"{{.a\"\n",
		"typo: 1\n",
	} {
		if _, err := notify.LoadRegistry(strings.NewReader(bad)); err == nil {
			t.Errorf("config %q loaded without an error", bad)
		}
	}
}

func TestLoadRegistryRecipientRules(t *testing.T) {
	reg, err := notify.LoadRegistry(strings.NewReader("types:\n  ANSWER_REGISTERED:\n    escalate: {sms: 5m}\n  EVENT_PROMOTION:\n    message: m\n    quietHours: true\n  PAYMENT_FAILED:\n    message: m\n    required: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := reg.Lookup("ANSWER_REGISTERED")
	p, _ := reg.Lookup("EVENT_PROMOTION")
	f, _ := reg.Lookup("PAYMENT_FAILED")
	if a.Escalate[notify.ChannelSMS] != 5*time.Minute || a.Message == "" || !p.QuietHours || p.Required || !f.Required {
		t.Fatalf("got %+v / %+v / %+v", a, p, f)
	}
	for _, bad := range []string{"escalate: {sms: soon}", "escalate: {sms: -1m}", "escalate: {fax: 5m}", "escalate: {sse: 5m}"} {
		if _, err := notify.LoadRegistry(strings.NewReader("types:\n  ANSWER_REGISTERED:\n    " + bad + "\n")); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

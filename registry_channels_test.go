package notify

import (
	"strings"
	"testing"
)

func TestLoadRegistryEmailAndWebhooks(t *testing.T) {
	reg, err := LoadRegistry(strings.NewReader(`
types:
  PAYMENT_FAILED:
    message: "결제에 실패했습니다."
    channels: {CUSTOMER: [inbox, sms, email, webpush]}
    email:
      subject: "[주문 {{.orderId}}] 결제 실패 안내"
      text: "{{.message}} {{.url}}"
      html: "<p>{{.message}}</p>"
webhooks:
  - url: "https://orders.internal/hooks/notifyd"
    secret: "whsec_c2VjcmV0LWZvci10aGUtb3JkZXItc2VydmljZQ=="
    events: [delivery.sent, notification.read]
`))
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := reg.Lookup("PAYMENT_FAILED")
	if typ.Email == nil || typ.Email.Subject != "[주문 {{.orderId}}] 결제 실패 안내" {
		t.Fatalf("email template = %+v", typ.Email)
	}
	if got := typ.ChannelsFor(RoleCustomer); len(got) != 4 || got[0] != ChannelInbox || got[2] != ChannelEmail || got[3] != ChannelWebPush {
		t.Fatalf("channels = %v", got)
	}
	hooks := reg.Webhooks()
	if len(hooks) != 1 || !hooks[0].Wants("notification.read") || hooks[0].Wants("delivery.failed") {
		t.Fatalf("webhooks = %+v", hooks)
	}
	if k, err := hooks[0].Key(); err != nil || string(k) != "secret-for-the-order-service" {
		t.Fatalf("key = %q, %v", k, err)
	}

	for name, bad := range map[string]string{
		"html template": "types: {X: {message: m, email: {html: \"{{.a\"}}}",
		"secret":        "webhooks: [{url: \"https://h/x\", secret: nope, events: [delivery.sent]}]",
		"event":         "webhooks: [{url: \"https://h/x\", secret: \"whsec_c2VjcmV0LWZvci10aGUtb3JkZXItc2VydmljZQ==\", events: [order.paid]}]",
		"url":           "webhooks: [{url: \"ftp://h/x\", secret: \"whsec_c2VjcmV0LWZvci10aGUtb3JkZXItc2VydmljZQ==\", events: [delivery.sent]}]",
	} {
		if _, err := LoadRegistry(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: a bad config loaded", name)
		}
	}
}

package notify

import (
	"os"
	"strings"
	"testing"
)

func TestDecodeTopic(t *testing.T) {
	ev, err := DecodeEvent([]byte(`{"whoToNotify":{"topic":"restock:product-123","role":"customer"},"publishInformation":{"notificationType":"ORDER_CREATED","message":"m","url":"https://shop/p/1"}}`))
	if err != nil || ev.Topic != "restock:product-123" || ev.TopicRole != RoleCustomer || len(ev.Recipients) != 0 {
		t.Fatalf("decoded %+v, %v; want the topic with role CUSTOMER and no recipients", ev, err)
	}
	if err := ev.Validate(DefaultLimits); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	out, _ := ev.MarshalJSON()
	back, err := DecodeEvent(out)
	if err != nil || back.Topic != ev.Topic || back.TopicRole != ev.TopicRole {
		t.Fatalf("round trip through %s: %+v, %v", out, back, err)
	}
	p, err := DefaultRegistry().Prepare(ev, DefaultLimits)
	if err != nil || p.Topic == nil || p.Topic.Role != RoleCustomer || len(p.Topic.Channels) == 0 || len(p.Targets) != 0 {
		t.Fatalf("Prepare = %+v, %v; want a topic target with the customer's channels", p, err)
	}
	for _, c := range []struct{ what, who, field string }{
		{"a topic and a userId", `{"topic":"t","userId":7,"role":"CUSTOMER"}`, "whoToNotify"},
		{"a topic in an array", `[{"topic":"t","role":"CUSTOMER"}]`, "whoToNotify"},
		{"a space in the name", `{"topic":"re stock","role":"CUSTOMER"}`, "whoToNotify.topic"},
		{"an empty name", `{"topic":"","role":"CUSTOMER"}`, "whoToNotify.topic"},
		{"201 characters", `{"topic":"` + strings.Repeat("x", 201) + `","role":"CUSTOMER"}`, "whoToNotify.topic"},
		{"no role", `{"topic":"t"}`, "whoToNotify.role"},
	} {
		_, err := DecodeEvent([]byte(`{"whoToNotify":` + c.who + `,"publishInformation":{"notificationType":"ORDER_CREATED","message":"m"}}`))
		e, ok := err.(*Error)
		if !ok || e.Code != CodeInvalidEvent || e.Field != c.field {
			t.Errorf("%s: err = %v, want invalid_event on %s", c.what, err, c.field)
		}
	}
}

func TestCheckTopic(t *testing.T) {
	for _, ok := range []string{"restock:product-123", "a", "A.b_c:d-e", strings.Repeat("z", 200)} {
		if err := CheckTopic(ok); err != nil {
			t.Errorf("CheckTopic(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a/b", "재입고", "a b", strings.Repeat("z", 201)} {
		if CheckTopic(bad) == nil {
			t.Errorf("CheckTopic(%q) accepted it", bad)
		}
	}
}

func TestThrottleConfig(t *testing.T) {
	reg, err := LoadRegistry(strings.NewReader("types:\n  PRICE_ALERT:\n    message: m\n    throttle: {limit: 3, window: 1h, key: \"{{.storeId}}\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := reg.Prepare(Event{Type: "PRICE_ALERT", Recipients: []Recipient{{UserID: "1", Role: RoleCustomer}}, Data: []byte(`{"storeId":"s-9"}`)}, DefaultLimits)
	if err != nil || p.Throttle == nil || p.Throttle.Limit != 3 || p.Throttle.Key != "s-9" || p.Throttle.Window.Hours() != 1 {
		t.Fatalf("prepared throttle = %+v, %v", p.Throttle, err)
	}
	for _, bad := range []string{"{limit: 0, window: 1h}", "{limit: 3, window: soon}", "{limit: 3, window: 1h, key: \"{{\"}"} {
		if _, err := LoadRegistry(strings.NewReader("types:\n  X:\n    message: m\n    throttle: " + bad + "\n")); err == nil {
			t.Errorf("throttle %s was accepted", bad)
		}
	}
}

// TestTopicsExample holds docs/topics.md's example files to the code: the config loads and
// the restock event prepares as a topic event of RESTOCKED.
func TestTopicsExample(t *testing.T) {
	reg := loadExample(t, "examples/topics.yaml")
	body, err := os.ReadFile("examples/events/restock-topic.json")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := DecodeEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	p, err := reg.Prepare(ev, DefaultLimits)
	if err != nil || p.Topic == nil || !strings.Contains(p.Event.Message, "재입고") {
		t.Fatalf("Prepare = %+v, %v", p, err)
	}
	if q, ok := reg.Lookup("NEW_QUESTION"); !ok || q.Throttle == nil || q.Throttle.Limit != 3 {
		t.Fatalf("NEW_QUESTION's throttle = %+v", q)
	}
}

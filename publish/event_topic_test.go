package publish

import (
	"encoding/json"
	"testing"
)

func TestForTopicWire(t *testing.T) {
	ev := ForTopic("restock:product-123", RoleCustomer, Info{NotificationType: "RESTOCKED", EventID: "e1"})
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"whoToNotify":{"topic":"restock:product-123","role":"CUSTOMER"},"publishInformation":{"notificationType":"RESTOCKED","eventId":"e1"}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

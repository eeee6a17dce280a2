package fanout

import (
	"reflect"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
)

func TestWireRoundTrip(t *testing.T) {
	read := time.UnixMilli(1700000001234).UTC()
	in := []notify.Notification{
		{ID: 7, UserID: "사용자-1", Seq: 3, EventID: "order-1001", Type: "DELIVERY_STARTED", Message: "배송이 시작되었습니다. 🚚",
			URL: "https://mypage", CreatedAt: time.UnixMilli(1700000000000).UTC(), ReadAt: &read, SeenAt: &read, ArchivedAt: &read},
		{ID: 8, UserID: "7", Seq: 1, EventID: "x", Type: "RESTOCK", CreatedAt: time.UnixMilli(1).UTC()},
	}
	states := []notify.StateChange{
		{UserID: "사용자-1", IDs: []int64{7, 9}, ArchivedAt: &read},
		{UserID: "7", UpToSeq: 12, Type: "RESTOCK", ReadAt: &read},
		{UserID: "7", IDs: []int64{8}, Unarchived: true},
	}
	b, err := encode("me", in, states)
	if err != nil {
		t.Fatal(err)
	}
	origin, got, gotStates, err := decode(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if origin != "me" || !reflect.DeepEqual(got, in) || !reflect.DeepEqual(gotStates, states) {
		t.Fatalf("got %q %+v %+v, want %q %+v %+v", origin, got, gotStates, "me", in, states)
	}
}

func TestDecodeRejectsBadMessages(t *testing.T) {
	for _, payload := range []string{`nope`, `{"n":[{"id":1,"seq":1}]}`, `{"n":[{"id":1,"userId":"u"}]}`,
		`{"s":[{"ids":[1]}]}`, `{"s":[{"userId":"u"}]}`} {
		if _, _, _, err := decode(payload); err == nil {
			t.Errorf("decode(%s) succeeded, want an error", payload)
		}
	}
}

func TestShardsAreStable(t *testing.T) {
	for _, u := range []string{"7", "사용자-1", ""} {
		if a, b := shardOf(u, 8), shardOf(u, 8); a != b || a < 0 || a >= 8 {
			t.Fatalf("shardOf(%q) = %d, %d", u, a, b)
		}
	}
	if got := channelName("notifyd.notifications", 3); got != "notifyd.notifications.3" {
		t.Fatalf("channelName = %q", got)
	}
}

package notify_test

import (
	"strconv"
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
)

func benchEvent(i int) string {
	n := strconv.Itoa(i)
	return `{"whoToNotify":{"userId":` + n + `,"role":"CUSTOMER","phoneNumber":"+821012345678"},` +
		`"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송이 시작되었습니다.",` +
		`"url":"https://mypage","eventId":"order-` + n + `-delivery-started","data":{"orderId":` + n + `}}}`
}

// BenchmarkDecodeEvents decodes one event, and an array of 50 (reported per event).
func BenchmarkDecodeEvents(b *testing.B) {
	one := []byte(benchEvent(1))
	parts := make([]string, 50)
	for i := range parts {
		parts[i] = benchEvent(i)
	}
	many := []byte("[" + strings.Join(parts, ",") + "]")
	b.Run("one", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(one)))
		for b.Loop() {
			if _, err := notify.DecodeEvents(one); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("array50", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(many)))
		for b.Loop() {
			if _, err := notify.DecodeEvents(many); err != nil {
				b.Fatal(err)
			}
		}
	})
}

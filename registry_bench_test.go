package notify_test

import (
	"encoding/json"
	"strconv"
	"testing"

	notify "github.com/notifyd/notifyd"
)

// BenchmarkPrepare validates, renders (message and url from RESTOCK's templates) and routes
// one event to one recipient, and one to 1,000.
func BenchmarkPrepare(b *testing.B) {
	reg := notify.DefaultRegistry()
	ev := notify.Event{Type: "RESTOCK", EventID: "restock-1", Data: json.RawMessage(`{"productId":42,"productName":"운동화"}`),
		Recipients: []notify.Recipient{{UserID: "7", Role: notify.RoleCustomer, Phone: "+821012345678"}}}
	b.Run("one", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := reg.Prepare(ev, notify.DefaultLimits); err != nil {
				b.Fatal(err)
			}
		}
	})
	many := ev
	many.Recipients = make([]notify.Recipient, 1000)
	for i := range many.Recipients {
		many.Recipients[i] = notify.Recipient{UserID: "u" + strconv.Itoa(i), Role: notify.RoleOwner}
	}
	b.Run("recipients1000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := reg.Prepare(many, notify.DefaultLimits); err != nil {
				b.Fatal(err)
			}
		}
	})
}

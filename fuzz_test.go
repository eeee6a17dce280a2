package notify_test

import (
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/testenv/eventcheck"
)

// Seeds shared by the decoder fuzz targets (internal/source/sqs has a copy for its
// envelope target); testdata/fuzz/<FuzzName>/ holds more.
var fuzzEventSeeds = []string{
	`{"whoToNotify":{"userId":7,"role":"CUSTOMER","phoneNumber":"+821012345678"},"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송이 시작되었습니다.","url":"https://mypage","eventId":"order-1001-delivery-started","data":{"orderId":1001}}}`,
	`[{"whoToNotify":[{"userId":"u-1","role":"owner"},{"userId":2,"role":"Admin"}],"publishInformation":{"notificationType":"RESTOCK","data":{"productName":"<b>&</b>","productId":"9"}}}]`,
	`{"whoToNotify":{"userId":1e3,"role":"CUSTOMER"},"publishInformation":{"notificationType":"X"}}`,
	`{"whoToNotify":[],"publishInformation":{}}`,
	`{"whoToNotify":{"userId":" 7 ","role":" customer "},"publishInformation":{"notificationType":" T ","message":"a\r\nb\u2028","url":" javascript:alert(1) ","eventId":" e ","data":null}}`,
	`{"whoToNotify":{"userId":7,"role":"CUSTOMER"},"publishInformation":{"notificationType":"T","data":[1]}}`,
	`{"whoToNotify":{"userId":7,"role":"CUSTOMER"},"publishInformation":{"notificationType":"T"}} {}`,
	`[]`, `null`, `"x"`, ``, `[{}]`, `{"publishInformation":null}`,
	"{\"whoToNotify\":{\"userId\":\"\xff\",\"role\":\"OWNER\"},\"publishInformation\":{\"notificationType\":\"T\",\"message\":\"\xc3\"}}",
}

// FuzzDecodeEvents: DecodeEvents never panics; its errors are *notify.Error with a code
// that marks the input as bad; what it accepts survives MarshalJSON and a second decode
// unchanged, and Validate and Prepare never panic on it.
func FuzzDecodeEvents(f *testing.F) {
	for _, s := range fuzzEventSeeds {
		f.Add([]byte(s))
	}
	reg := notify.DefaultRegistry()
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := notify.DecodeEvents(body)
		if err != nil {
			eventcheck.InputError(t, err)
			return
		}
		if len(events) == 0 {
			t.Fatal("DecodeEvents returned no events and no error")
		}
		for i, ev := range events {
			again := eventcheck.RoundTrip(t, ev)
			eventcheck.SameEvent(t, i, again, ev)
			if err := ev.Validate(notify.DefaultLimits); err != nil {
				eventcheck.InputError(t, err)
			}
			if _, err := reg.Prepare(ev, notify.DefaultLimits); err != nil {
				eventcheck.InputError(t, err)
			}
		}
	})
}

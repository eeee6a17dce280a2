package sqs

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/testenv/eventcheck"
)

// Seeds for the envelope fuzz target: bodies the domain's decoder fuzz starts from too.
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

// FuzzDecodeSQSBody: DecodeBody never panics and fails only with permanent
// *notify.Errors; and an SNS envelope around a body decodes exactly as the body itself does.
func FuzzDecodeSQSBody(f *testing.F) {
	for _, s := range fuzzEventSeeds {
		f.Add([]byte(s))
		env, _ := json.Marshal(map[string]any{"Type": "Notification", "MessageId": "m-1", "Message": s,
			"MessageAttributes": map[string]any{"traceparent": map[string]string{"Type": "String", "Value": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}})
		f.Add(env)
	}
	for _, s := range []string{
		`{"Type":"SubscriptionConfirmation","Message":"{}"}`,
		`{"Type":"Notification","Message":{"whoToNotify":{}}}`,
		`{"Type":"Notification"}`,
		`{"Type":"Notification","Message":"\"{}\""}`,
		`{"Type":1}`,
		`{"Type":"Notification","Message":"[]","MessageAttributes":{"TraceParent":{"Value":7}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := DecodeBody(body)
		if err != nil {
			eventcheck.InputError(t, err)
		} else {
			if len(got.Events) == 0 {
				t.Fatal("DecodeBody returned no events and no error")
			}
			for i, ev := range got.Events {
				eventcheck.SameEvent(t, i, eventcheck.RoundTrip(t, ev), ev)
			}
		}

		// The envelope property needs a body that survives being a JSON string.
		if !utf8.Valid(body) {
			return
		}
		env, err := json.Marshal(map[string]string{"Type": "Notification", "MessageId": "m-1", "Message": string(body)})
		if err != nil {
			t.Fatal(err)
		}
		wrapped, werr := DecodeBody(env)
		direct, derr := notify.DecodeEvents(body)
		if (werr == nil) != (derr == nil) {
			t.Fatalf("wrapped error %v, direct error %v: want both or neither", werr, derr)
		}
		if werr != nil {
			eventcheck.InputError(t, werr)
			if wc, dc := notify.ErrorCode(werr), notify.ErrorCode(derr); wc != dc {
				t.Fatalf("wrapped error code %s, direct %s", wc, dc)
			}
			return
		}
		if wrapped.SNSMessageID != "m-1" {
			t.Fatalf("SNSMessageID = %q, want m-1", wrapped.SNSMessageID)
		}
		if len(wrapped.Events) != len(direct) {
			t.Fatalf("wrapped %d events, direct %d", len(wrapped.Events), len(direct))
		}
		for i := range direct {
			eventcheck.SameEvent(t, i, wrapped.Events[i], direct[i])
		}
	})
}

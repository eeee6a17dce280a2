package sqs

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"

	notify "github.com/notifyd/notifyd"
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
			fuzzCheckInputError(t, err)
		} else {
			if len(got.Events) == 0 {
				t.Fatal("DecodeBody returned no events and no error")
			}
			for i, ev := range got.Events {
				fuzzSameEvent(t, i, fuzzRoundTrip(t, ev), ev)
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
			fuzzCheckInputError(t, werr)
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
			fuzzSameEvent(t, i, wrapped.Events[i], direct[i])
		}
	})
}

// fuzzCheckInputError fails unless err is a *notify.Error blaming the input.
func fuzzCheckInputError(t *testing.T, err error) {
	t.Helper()
	e, ok := err.(*notify.Error)
	if !ok {
		t.Fatalf("error %v is a %T, want *notify.Error", err, err)
	}
	if !notify.Permanent(e) {
		t.Fatalf("error %v has code %s, want a code that blames the input", err, e.Code)
	}
	if e.Message == "" {
		t.Fatalf("error %#v has no message", e)
	}
}

// fuzzRoundTrip marshals ev to the wire format and decodes it again.
func fuzzRoundTrip(t *testing.T, ev notify.Event) notify.Event {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatalf("MarshalJSON of a decoded event: %v", err)
	}
	again, err := notify.DecodeEvent(b)
	if err != nil {
		t.Fatalf("decoding the re-marshalled event %s: %v", b, err)
	}
	return again
}

// fuzzSameEvent compares two events field by field; Data as JSON values, since
// marshalling compacts and escapes it.
func fuzzSameEvent(t *testing.T, i int, got, want notify.Event) {
	t.Helper()
	if !reflect.DeepEqual(got.Recipients, want.Recipients) {
		t.Fatalf("event %d: recipients %+v, want %+v", i, got.Recipients, want.Recipients)
	}
	if got.Type != want.Type || got.Message != want.Message || got.URL != want.URL || got.EventID != want.EventID {
		t.Fatalf("event %d: got %q %q %q %q, want %q %q %q %q", i,
			got.Type, got.Message, got.URL, got.EventID, want.Type, want.Message, want.URL, want.EventID)
	}
	if (len(got.Data) == 0) != (len(want.Data) == 0) {
		t.Fatalf("event %d: data %s, want %s", i, got.Data, want.Data)
	}
	if len(want.Data) > 0 && !reflect.DeepEqual(fuzzJSONValue(t, got.Data), fuzzJSONValue(t, want.Data)) {
		t.Fatalf("event %d: data %s, want %s", i, got.Data, want.Data)
	}
}

func fuzzJSONValue(t *testing.T, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("data %q is not JSON: %v", raw, err)
	}
	return v
}

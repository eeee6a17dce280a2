package notify_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	notify "github.com/notifyd/notifyd"
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
			fuzzCheckInputError(t, err)
			return
		}
		if len(events) == 0 {
			t.Fatal("DecodeEvents returned no events and no error")
		}
		for i, ev := range events {
			again := fuzzRoundTrip(t, ev)
			fuzzSameEvent(t, i, again, ev)
			if err := ev.Validate(notify.DefaultLimits); err != nil {
				fuzzCheckInputError(t, err)
			}
			if _, err := reg.Prepare(ev, notify.DefaultLimits); err != nil {
				fuzzCheckInputError(t, err)
			}
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

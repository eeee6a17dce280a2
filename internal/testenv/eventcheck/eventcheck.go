// Package eventcheck holds the checks that the event decoders' fuzz tests share (the
// wire format's in the root package, the SQS body's in internal/source/sqs): a rejected
// input must be blamed on the input, and a decoded event must survive a round trip.
package eventcheck

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	notify "github.com/notifyd/notifyd"
)

// InputError fails unless err is a *notify.Error blaming the input.
func InputError(t *testing.T, err error) {
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

// RoundTrip marshals ev to the wire format and decodes it again.
func RoundTrip(t *testing.T, ev notify.Event) notify.Event {
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

// SameEvent compares two events field by field; Data as JSON values, since
// marshalling compacts and escapes it.
func SameEvent(t *testing.T, i int, got, want notify.Event) {
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
	if len(want.Data) > 0 && !reflect.DeepEqual(jsonValue(t, got.Data), jsonValue(t, want.Data)) {
		t.Fatalf("event %d: data %s, want %s", i, got.Data, want.Data)
	}
}

func jsonValue(t *testing.T, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("data %q is not JSON: %v", raw, err)
	}
	return v
}

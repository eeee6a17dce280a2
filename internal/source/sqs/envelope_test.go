package sqs

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	notify "github.com/notifyd/notifyd"
)

func readEvent(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/events/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// envelopeOf wraps body in an SNS envelope as SNS writes it to a queue.
func envelopeOf(t *testing.T, typ string, message any, attrs map[string]any) []byte {
	t.Helper()
	env := map[string]any{"Type": typ, "MessageId": "sns-1", "TopicArn": "arn:aws:sns:local:000000000000:orders"}
	if message != nil {
		env["Message"] = message
	}
	if attrs != nil {
		env["MessageAttributes"] = attrs
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeBodyEnvelope(t *testing.T) {
	raw := string(readEvent(t, "delivery-started.json"))
	two := `[` + raw + `,` + string(readEvent(t, "question-registered.json")) + `]`
	tests := []struct {
		name       string
		body       []byte
		wantEvents int
		wantSNSID  string
		wantTrace  string
		wantFirst  string // first event's eventId
	}{
		{name: "raw object", body: []byte(raw), wantEvents: 1, wantFirst: "order-1001-delivery-started"},
		{name: "raw array", body: []byte(two), wantEvents: 2, wantFirst: "order-1001-delivery-started"},
		{name: "raw with surrounding space", body: []byte("\n  " + raw + "  \n"), wantEvents: 1, wantFirst: "order-1001-delivery-started"},
		{name: "sns sample", body: readEvent(t, "sns-envelope.json"), wantEvents: 1, wantSNSID: "5f2a0b4e-2d7c-5c9e-9f7b-3b1d2b0c9a11", wantFirst: "order-1002-created"},
		{name: "sns array", body: envelopeOf(t, "Notification", two, nil), wantEvents: 2, wantSNSID: "sns-1", wantFirst: "order-1001-delivery-started"},
		{
			name:       "sns traceparent attribute",
			body:       envelopeOf(t, "Notification", raw, map[string]any{"traceparent": map[string]string{"Type": "String", "Value": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}),
			wantEvents: 1, wantSNSID: "sns-1", wantFirst: "order-1001-delivery-started",
			wantTrace: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeBody(tt.body)
			if err != nil {
				t.Fatalf("DecodeBody: %v", err)
			}
			if len(got.Events) != tt.wantEvents {
				t.Fatalf("got %d events, want %d", len(got.Events), tt.wantEvents)
			}
			if got.SNSMessageID != tt.wantSNSID {
				t.Errorf("SNSMessageID = %q, want %q", got.SNSMessageID, tt.wantSNSID)
			}
			if got.TraceParent != tt.wantTrace {
				t.Errorf("TraceParent = %q, want %q", got.TraceParent, tt.wantTrace)
			}
			if got.Events[0].EventID != tt.wantFirst {
				t.Errorf("first eventId = %q, want %q", got.Events[0].EventID, tt.wantFirst)
			}
		})
	}
}

func TestDecodeBodyEnvelopeErrors(t *testing.T) {
	raw := string(readEvent(t, "delivery-started.json"))
	tests := []struct {
		name      string
		body      []byte
		wantCode  notify.Code
		wantField string
	}{
		{name: "empty", body: []byte("  "), wantCode: notify.CodeInvalidJSON},
		{name: "not json", body: []byte("hello"), wantCode: notify.CodeInvalidJSON},
		{name: "truncated object", body: []byte(`{"whoToNotify":`), wantCode: notify.CodeInvalidJSON},
		{name: "empty array", body: []byte(`[]`), wantCode: notify.CodeInvalidEvent},
		{name: "raw without recipient", body: []byte(`{"publishInformation":{"notificationType":"X"}}`), wantCode: notify.CodeNoRecipient, wantField: "whoToNotify"},
		{name: "subscription confirmation", body: envelopeOf(t, "SubscriptionConfirmation", "https://confirm", nil), wantCode: notify.CodeInvalidEvent, wantField: "sns.Type"},
		{name: "type not a string", body: []byte(`{"Type":1,"Message":"{}"}`), wantCode: notify.CodeInvalidEvent, wantField: "sns.Type"},
		{name: "envelope without message", body: envelopeOf(t, "Notification", nil, nil), wantCode: notify.CodeInvalidEvent, wantField: "sns.Message"},
		{name: "message not a string", body: envelopeOf(t, "Notification", json.RawMessage(raw), nil), wantCode: notify.CodeInvalidEvent, wantField: "sns.Message"},
		{name: "message not json", body: envelopeOf(t, "Notification", "hello", nil), wantCode: notify.CodeInvalidJSON, wantField: "sns.Message"},
		{name: "message without recipient", body: envelopeOf(t, "Notification", `{"publishInformation":{"notificationType":"X"}}`, nil), wantCode: notify.CodeNoRecipient, wantField: "sns.Message.whoToNotify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeBody(tt.body)
			if err == nil {
				t.Fatal("DecodeBody: got no error")
			}
			if got := notify.ErrorCode(err); got != tt.wantCode {
				t.Errorf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if !notify.Permanent(err) {
				t.Errorf("Permanent(%v) = false, want true", err)
			}
			var e *notify.Error
			if tt.wantField != "" {
				if !errors.As(err, &e) || e.Field != tt.wantField {
					t.Errorf("field of %v: want %q", err, tt.wantField)
				}
			}
		})
	}
}

func TestBodyFallbackKeyEnvelope(t *testing.T) {
	one := Body{Events: make([]notify.Event, 1)}
	two := Body{Events: make([]notify.Event, 2)}
	viaSNS := Body{Events: make([]notify.Event, 2), SNSMessageID: "sns-1"}
	tests := []struct {
		body Body
		i    int
		want string
	}{
		{one, 0, "m-1"},
		{two, 1, "m-1/1"},
		{viaSNS, 0, "sns-1/0"},
	}
	for _, tt := range tests {
		if got := tt.body.FallbackKey("m-1", tt.i); got != tt.want {
			t.Errorf("FallbackKey(m-1, %d) = %q, want %q", tt.i, got, tt.want)
		}
	}
}

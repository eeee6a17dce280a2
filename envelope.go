package notify

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// SQSBody is what one SQS message body carries once decoded: the events, and when the
// body came through an SNS topic without raw delivery, what the SNS envelope said.
type SQSBody struct {
	Events []Event
	// SNSMessageID is the envelope's MessageId; empty for a raw body. SNS gives every
	// queue subscribed to a topic the same id, so it is the idempotency key to use when an
	// event has no eventId.
	SNSMessageID string
	TopicARN     string
	// TraceParent is the W3C trace context the publisher put in the envelope's
	// "traceparent" message attribute, if any.
	TraceParent string
}

// FallbackKey returns the idempotency key for event i of the body when it has no eventId:
// the SNS message id, else sqsMessageID; suffixed with "/i" when the body held an array of
// several events, so that they do not share one key.
func (b SQSBody) FallbackKey(sqsMessageID string, i int) string {
	key := b.SNSMessageID
	if key == "" {
		key = sqsMessageID
	}
	if key == "" || len(b.Events) < 2 {
		return key
	}
	return key + "/" + strconv.Itoa(i)
}

// snsEnvelope is the JSON SNS writes to an SQS queue when raw message delivery is off.
type snsEnvelope struct {
	Type              string                         `json:"Type"`
	MessageID         string                         `json:"MessageId"`
	TopicARN          string                         `json:"TopicArn"`
	Message           json.RawMessage                `json:"Message"`
	MessageAttributes map[string]snsMessageAttribute `json:"MessageAttributes"`
}

type snsMessageAttribute struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// DecodeSQSBody decodes an SQS message body: a NotificationData object or array sent
// raw, or one wrapped in an SNS envelope ({"Type":"Notification","Message":"<json>"}).
// A body is taken for an envelope when its top-level object has a "Type" key, which
// NotificationData never has. Every error is a *Error with a permanent code
// (invalid_json, invalid_event, no_recipient): retrying the same body cannot help.
func DecodeSQSBody(body []byte) (SQSBody, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return SQSBody{}, Errorf(CodeInvalidJSON, "empty message body: expected NotificationData or an SNS envelope")
	}
	if body[0] == '{' {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			return SQSBody{}, jsonError("", err)
		}
		if _, ok := top["Type"]; ok {
			return decodeEnvelope(body)
		}
	}
	events, err := DecodeEvents(body)
	if err != nil {
		return SQSBody{}, err
	}
	return SQSBody{Events: events}, nil
}

func decodeEnvelope(body []byte) (SQSBody, error) {
	var env snsEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return SQSBody{}, prefixField("sns", jsonError("", err))
	}
	if env.Type != "Notification" {
		return SQSBody{}, FieldErrorf(CodeInvalidEvent, "sns.Type", "is %q: only a Notification carries an event", env.Type)
	}
	raw := bytes.TrimSpace(env.Message)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return SQSBody{}, FieldErrorf(CodeInvalidEvent, "sns.Message", "is required")
	}
	if raw[0] != '"' {
		return SQSBody{}, FieldErrorf(CodeInvalidEvent, "sns.Message", "must be a string holding NotificationData JSON")
	}
	var msg string
	if err := json.Unmarshal(raw, &msg); err != nil {
		return SQSBody{}, prefixField("sns.Message", jsonError("", err))
	}
	events, err := DecodeEvents([]byte(msg))
	if err != nil {
		return SQSBody{}, prefixField("sns.Message", err)
	}
	out := SQSBody{Events: events, SNSMessageID: strings.TrimSpace(env.MessageID), TopicARN: env.TopicARN}
	for name, a := range env.MessageAttributes {
		if strings.EqualFold(name, "traceparent") {
			out.TraceParent = strings.TrimSpace(a.Value)
		}
	}
	return out, nil
}

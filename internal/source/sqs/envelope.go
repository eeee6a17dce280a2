package sqs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	notify "github.com/notifyd/notifyd"
)

// Body is what one SQS message body carries once decoded: the events, and when the
// body came through an SNS topic without raw delivery, what the SNS envelope said.
type Body struct {
	Events []notify.Event
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
func (b Body) FallbackKey(sqsMessageID string, i int) string {
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

// DecodeBody decodes an SQS message body: a NotificationData object or array sent
// raw, or one wrapped in an SNS envelope ({"Type":"Notification","Message":"<json>"}).
// A body is taken for an envelope when its top-level object has a "Type" key, which
// NotificationData never has. Every error is a *Error with a permanent code
// (invalid_json, invalid_event, no_recipient): retrying the same body cannot help.
func DecodeBody(body []byte) (Body, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return Body{}, notify.Errorf(notify.CodeInvalidJSON, "empty message body: expected NotificationData or an SNS envelope")
	}
	if body[0] == '{' {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			return Body{}, jsonError(err)
		}
		if _, ok := top["Type"]; ok {
			return decodeEnvelope(body)
		}
	}
	events, err := notify.DecodeEvents(body)
	if err != nil {
		return Body{}, err
	}
	return Body{Events: events}, nil
}

func decodeEnvelope(body []byte) (Body, error) {
	var env snsEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Body{}, prefixField("sns", jsonError(err))
	}
	if env.Type != "Notification" {
		return Body{}, notify.FieldErrorf(notify.CodeInvalidEvent, "sns.Type", "is %q: only a Notification carries an event", env.Type)
	}
	raw := bytes.TrimSpace(env.Message)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return Body{}, notify.FieldErrorf(notify.CodeInvalidEvent, "sns.Message", "is required")
	}
	if raw[0] != '"' {
		return Body{}, notify.FieldErrorf(notify.CodeInvalidEvent, "sns.Message", "must be a string holding NotificationData JSON")
	}
	var msg string
	if err := json.Unmarshal(raw, &msg); err != nil {
		return Body{}, prefixField("sns.Message", jsonError(err))
	}
	events, err := notify.DecodeEvents([]byte(msg))
	if err != nil {
		return Body{}, prefixField("sns.Message", err)
	}
	out := Body{Events: events, SNSMessageID: strings.TrimSpace(env.MessageID), TopicARN: env.TopicARN}
	for name, a := range env.MessageAttributes {
		if strings.EqualFold(name, "traceparent") {
			out.TraceParent = strings.TrimSpace(a.Value)
		}
	}
	return out, nil
}

// jsonError turns a JSON decoding error into the *notify.Error the domain gives for the
// same mistake in an event body.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &notify.Error{Code: notify.CodeInvalidEvent, Field: te.Field, Message: fmt.Sprintf("must be %s, not %s", jsonKind(te.Type.Kind().String()), te.Value)}
	}
	return &notify.Error{Code: notify.CodeInvalidJSON, Message: "malformed JSON", Err: err}
}

func jsonKind(k string) string {
	switch k {
	case "struct", "map":
		return "an object"
	case "slice":
		return "an array"
	}
	return "a " + k
}

// prefixField puts a *notify.Error's field under prefix (sns.Message.whoToNotify…).
func prefixField(prefix string, err error) error {
	var e *notify.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	if c.Field != "" {
		c.Field = prefix + "." + c.Field
	} else {
		c.Field = prefix
	}
	return &c
}

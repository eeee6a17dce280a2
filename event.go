package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Event is one NotificationData as producer services publish it, decoded and normalised:
// user ids are strings, roles are upper case, and recipients are always a list.
type Event struct {
	Recipients []Recipient
	Type       string
	Message    string // may be empty where the type's template renders it
	URL        string // may be empty where the type's template renders it
	EventID    string // the producer's idempotency key; may be empty
	Data       json.RawMessage
	// SendAt, when set, is when the notifications become visible (nil: at once).
	SendAt *time.Time
	// CollapseKey, when set, makes a newer notification of the same user and key replace
	// the older one.
	CollapseKey string
	// Topic, when set, stands for Recipients: the event goes to every subscriber of the
	// topic at the moment it is accepted, each as TopicRole (see topic.go).
	Topic     string
	TopicRole Role
}

// Recipient is one person an event is about.
type Recipient struct {
	UserID string
	Role   Role
	Phone  string // E.164; empty where the producer gave none
	Email  string // empty where the producer gave none
}

// The JSON shapes of NotificationData, as Spring producers send it.
type wireEvent struct {
	WhoToNotify        json.RawMessage `json:"whoToNotify"`
	PublishInformation *wirePublish    `json:"publishInformation"`
}

type wirePublish struct {
	NotificationType string          `json:"notificationType"`
	Message          string          `json:"message,omitempty"`
	URL              string          `json:"url,omitempty"`
	EventID          string          `json:"eventId,omitempty"`
	SendAt           string          `json:"sendAt,omitempty"`
	CollapseKey      string          `json:"collapseKey,omitempty"`
	Data             json.RawMessage `json:"data,omitempty"`
}

type wireRecipient struct {
	UserID      json.RawMessage `json:"userId"`
	Role        string          `json:"role"`
	PhoneNumber string          `json:"phoneNumber,omitempty"`
	Email       string          `json:"email,omitempty"`
}

type wireRecipientOut struct {
	UserID      string `json:"userId"`
	Role        Role   `json:"role"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	Email       string `json:"email,omitempty"`
}

// DecodeEvents decodes a body holding one NotificationData object or a JSON array of
// them. It checks the shape only; call Validate (or Registry.Prepare) for the rules.
func DecodeEvents(body []byte) ([]Event, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, Errorf(CodeInvalidJSON, "empty body: expected a NotificationData object or an array of them")
	}
	if body[0] != '[' {
		ev, err := DecodeEvent(body)
		if err != nil {
			return nil, err
		}
		return []Event{ev}, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, jsonError("", err)
	}
	if len(raws) == 0 {
		return nil, Errorf(CodeInvalidEvent, "empty array: expected at least one event")
	}
	events := make([]Event, 0, len(raws))
	for i, raw := range raws {
		ev, err := DecodeEvent(raw)
		if err != nil {
			return nil, prefixField(fmt.Sprintf("[%d]", i), err)
		}
		events = append(events, ev)
	}
	return events, nil
}

// DecodeEvent decodes one NotificationData object.
func DecodeEvent(body []byte) (Event, error) {
	var w wireEvent
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&w); err != nil {
		return Event{}, jsonError("", err)
	}
	if dec.More() {
		return Event{}, Errorf(CodeInvalidJSON, "unexpected data after the JSON object")
	}
	if w.PublishInformation == nil {
		return Event{}, FieldErrorf(CodeInvalidEvent, "publishInformation", "is required")
	}
	topic, role, isTopic, err := decodeTopic(w.WhoToNotify)
	if err != nil {
		return Event{}, err
	}
	var recipients []Recipient
	if !isTopic {
		if recipients, err = decodeRecipients(w.WhoToNotify); err != nil {
			return Event{}, err
		}
	}
	p := w.PublishInformation
	ev := Event{
		Topic:       topic,
		TopicRole:   role,
		Recipients:  recipients,
		Type:        strings.TrimSpace(p.NotificationType),
		Message:     p.Message,
		URL:         strings.TrimSpace(p.URL),
		EventID:     strings.TrimSpace(p.EventID),
		CollapseKey: strings.TrimSpace(p.CollapseKey),
	}
	if v := strings.TrimSpace(p.SendAt); v != "" {
		at, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return Event{}, FieldErrorf(CodeInvalidEvent, "publishInformation.sendAt", "must be an RFC 3339 time such as 2026-12-08T10:00:00+09:00")
		}
		ev.SendAt = &at
	}
	if d := bytes.TrimSpace(p.Data); len(d) > 0 && !bytes.Equal(d, []byte("null")) {
		if d[0] != '{' {
			return Event{}, FieldErrorf(CodeInvalidEvent, "publishInformation.data", "must be a JSON object")
		}
		ev.Data = append(json.RawMessage(nil), d...)
	}
	return ev, nil
}

func decodeRecipients(raw json.RawMessage) ([]Recipient, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, FieldErrorf(CodeNoRecipient, "whoToNotify", "is required: one recipient object or an array of them")
	}
	var wires []wireRecipient
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &wires); err != nil {
			return nil, jsonError("whoToNotify", err)
		}
	} else {
		var one wireRecipient
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, jsonError("whoToNotify", err)
		}
		wires = []wireRecipient{one}
	}
	if len(wires) == 0 {
		return nil, FieldErrorf(CodeNoRecipient, "whoToNotify", "is empty")
	}
	out := make([]Recipient, 0, len(wires))
	for i, w := range wires {
		field := fmt.Sprintf("whoToNotify[%d]", i)
		id, err := decodeUserID(w.UserID)
		if err != nil {
			return nil, FieldErrorf(CodeInvalidEvent, field+".userId", "%s", err.Error())
		}
		role, ok := ParseRole(w.Role)
		if !ok {
			return nil, FieldErrorf(CodeInvalidEvent, field+".role", "%q is not one of CUSTOMER, OWNER, ADMIN", w.Role)
		}
		out = append(out, Recipient{UserID: id, Role: role, Phone: strings.TrimSpace(w.PhoneNumber), Email: strings.TrimSpace(w.Email)})
	}
	return out, nil
}

// decodeUserID accepts a JSON number (an integer) or a non-empty string.
func decodeUserID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", fmt.Errorf("is required")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("is not a valid string")
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return "", fmt.Errorf("is empty")
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("must be a number or a string")
	}
	if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
		return "", fmt.Errorf("%s is not an integer", n)
	}
	return n.String(), nil
}

func jsonError(field string, err error) error {
	e := &Error{Code: CodeInvalidJSON, Field: field, Message: "malformed JSON", Err: err}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := te.Field
		if field != "" && f != "" {
			f = field + "." + f
		} else if field != "" {
			f = field
		}
		e = &Error{Code: CodeInvalidEvent, Field: f, Message: fmt.Sprintf("must be %s, not %s", jsonKind(te.Type.Kind().String()), te.Value)}
	}
	return e
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

func prefixField(prefix string, err error) error {
	if e, ok := err.(*Error); ok {
		c := *e
		if c.Field != "" {
			c.Field = prefix + "." + c.Field
		} else {
			c.Field = prefix
		}
		return &c
	}
	return err
}

// Limits bounds what one event may carry.
type Limits struct {
	MaxRecipients int // recipients per event
	MaxMessage    int // characters in message
	MaxURL        int // bytes in url
	MaxEventID    int // bytes in eventId
	MaxData       int // bytes in data
}

// DefaultLimits are the limits notifyd applies unless configured otherwise.
var DefaultLimits = Limits{MaxRecipients: 10000, MaxMessage: 2000, MaxURL: 2048, MaxEventID: 200, MaxData: 16 << 10}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Validate checks an event against the limits and the contract's rules. It does not know
// event types; Registry.Prepare checks the type and the rendered message and url.
func (ev *Event) Validate(l Limits) error {
	if ev.Type == "" {
		return FieldErrorf(CodeInvalidEvent, "publishInformation.notificationType", "is required")
	}
	if ev.Topic != "" {
		if len(ev.Recipients) > 0 {
			return FieldErrorf(CodeInvalidEvent, "whoToNotify", "names a topic and recipients: send one or the other")
		}
		if err := CheckTopic(ev.Topic); err != nil {
			return prefixField("whoToNotify", err)
		}
		if _, ok := ParseRole(string(ev.TopicRole)); !ok {
			return FieldErrorf(CodeInvalidEvent, "whoToNotify.role", "%q is not one of CUSTOMER, OWNER, ADMIN", ev.TopicRole)
		}
	} else if len(ev.Recipients) == 0 {
		return FieldErrorf(CodeNoRecipient, "whoToNotify", "is empty")
	}
	if l.MaxRecipients > 0 && len(ev.Recipients) > l.MaxRecipients {
		return FieldErrorf(CodeTooManyRecipients, "whoToNotify", "has %d recipients; the limit is %d", len(ev.Recipients), l.MaxRecipients)
	}
	for i, r := range ev.Recipients {
		field := fmt.Sprintf("whoToNotify[%d]", i)
		if len(r.UserID) > 128 || !printable(r.UserID) {
			return FieldErrorf(CodeInvalidEvent, field+".userId", "must be at most 128 printable characters")
		}
		if r.Phone != "" && !e164.MatchString(r.Phone) {
			// The number itself is not repeated: errors end up in responses and stored reasons.
			return FieldErrorf(CodeInvalidEvent, field+".phoneNumber", "is not an E.164 number such as +821012345678")
		}
		if r.Email != "" {
			if err := CheckEmail(r.Email); err != nil {
				return FieldErrorf(CodeInvalidEvent, field+".email", "%s", err.Error())
			}
		}
	}
	if l.MaxEventID > 0 && len(ev.EventID) > l.MaxEventID {
		return FieldErrorf(CodeTooLarge, "publishInformation.eventId", "is %d bytes; the limit is %d", len(ev.EventID), l.MaxEventID)
	}
	if !printable(ev.EventID) {
		return FieldErrorf(CodeInvalidEvent, "publishInformation.eventId", "must be printable characters")
	}
	if l.MaxEventID > 0 && len(ev.CollapseKey) > l.MaxEventID {
		return FieldErrorf(CodeTooLarge, "publishInformation.collapseKey", "is %d bytes; the limit is %d", len(ev.CollapseKey), l.MaxEventID)
	}
	if !printable(ev.CollapseKey) {
		return FieldErrorf(CodeInvalidEvent, "publishInformation.collapseKey", "must be printable characters")
	}
	if l.MaxData > 0 && len(ev.Data) > l.MaxData {
		return FieldErrorf(CodeTooLarge, "publishInformation.data", "is %d bytes; the limit is %d", len(ev.Data), l.MaxData)
	}
	return ev.validateText(l)
}

// validateText checks message and url, which templates may have rendered.
func (ev *Event) validateText(l Limits) error {
	if !utf8.ValidString(ev.Message) {
		return FieldErrorf(CodeInvalidEvent, "publishInformation.message", "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(ev.Message); l.MaxMessage > 0 && n > l.MaxMessage {
		return FieldErrorf(CodeTooLarge, "publishInformation.message", "is %d characters; the limit is %d", n, l.MaxMessage)
	}
	if ev.URL == "" {
		return nil
	}
	if l.MaxURL > 0 && len(ev.URL) > l.MaxURL {
		return FieldErrorf(CodeTooLarge, "publishInformation.url", "is %d bytes; the limit is %d", len(ev.URL), l.MaxURL)
	}
	if err := CheckURL(ev.URL); err != nil {
		return FieldErrorf(CodeInvalidEvent, "publishInformation.url", "%s", err.Error())
	}
	return nil
}

// CheckURL accepts only absolute http and https URLs, the only links notifyd will show.
func CheckURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("is not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("must be an http or https URL")
	}
	if u.Host == "" {
		return fmt.Errorf("must be an absolute URL with a host")
	}
	if !printable(s) {
		return fmt.Errorf("must not contain control characters")
	}
	return nil
}

// CheckEmail accepts one bare address (buyer@example.com) as net/mail parses it: no
// display name, no angle brackets, at most 254 bytes.
func CheckEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > 254 {
		return fmt.Errorf("is not an email address such as buyer@example.com")
	}
	return nil
}

func printable(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// MarshalJSON writes the event back in the NotificationData wire format, normalised
// (string user ids, upper-case roles, recipients as an array). The store keeps this form
// and hashes it to tell a replay from a reuse of the same key.
func (ev Event) MarshalJSON() ([]byte, error) {
	var sendAt string
	if ev.SendAt != nil {
		sendAt = ev.SendAt.UTC().Format(time.RFC3339Nano)
	}
	var who any
	if ev.Topic != "" {
		who = struct {
			Topic string `json:"topic"`
			Role  Role   `json:"role"`
		}{ev.Topic, ev.TopicRole}
	} else {
		rs := make([]wireRecipientOut, len(ev.Recipients))
		for i, r := range ev.Recipients {
			rs[i] = wireRecipientOut{UserID: r.UserID, Role: r.Role, PhoneNumber: r.Phone, Email: r.Email}
		}
		who = rs
	}
	return json.Marshal(struct {
		WhoToNotify        any         `json:"whoToNotify"`
		PublishInformation wirePublish `json:"publishInformation"`
	}{who, wirePublish{NotificationType: ev.Type, Message: ev.Message, URL: ev.URL, EventID: ev.EventID, SendAt: sendAt, CollapseKey: ev.CollapseKey, Data: ev.Data}})
}

package notify

import (
	"bytes"
	"encoding/json"
)

// MaxTopic is the longest topic name, in bytes (every character is ASCII).
const MaxTopic = 200

// CheckTopic accepts a topic name: 1 to MaxTopic characters of A–Z, a–z, 0–9 and ". _ : -",
// such as "restock:product-123". It is checked by hand rather than with a regexp because
// it runs on every subscription and every topic event, and a byte loop says which rule
// failed.
func CheckTopic(name string) error {
	if name == "" || len(name) > MaxTopic {
		return FieldErrorf(CodeInvalidEvent, "topic", "must be 1 to %d characters", MaxTopic)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return FieldErrorf(CodeInvalidEvent, "topic", "may hold only letters, digits and . _ : - (such as restock:product-123)")
		}
	}
	return nil
}

// wireTopic is whoToNotify naming a topic: {"topic": "restock:product-123", "role": "CUSTOMER"}.
type wireTopic struct {
	Topic  *string         `json:"topic"`
	Role   string          `json:"role"`
	UserID json.RawMessage `json:"userId"`
}

// decodeTopic reports whether whoToNotify names a topic and, if so, decodes it. A topic
// goes alone: with a userId, or inside an array, it is refused (the producer meant one
// or the other, and guessing would notify the wrong people).
func decodeTopic(raw json.RawMessage) (topic string, role Role, ok bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", "", false, nil
	}
	if raw[0] == '[' {
		var items []map[string]json.RawMessage
		if json.Unmarshal(raw, &items) == nil {
			for _, it := range items {
				if _, has := it["topic"]; has {
					return "", "", false, FieldErrorf(CodeInvalidEvent, "whoToNotify", "a topic is one object, not an item of an array of recipients")
				}
			}
		}
		return "", "", false, nil
	}
	if raw[0] != '{' {
		return "", "", false, nil
	}
	var w wireTopic
	if json.Unmarshal(raw, &w) != nil || w.Topic == nil {
		return "", "", false, nil
	}
	if u := bytes.TrimSpace(w.UserID); len(u) > 0 && !bytes.Equal(u, []byte("null")) {
		return "", "", false, FieldErrorf(CodeInvalidEvent, "whoToNotify", "names a topic and a userId: send one or the other")
	}
	if err := CheckTopic(*w.Topic); err != nil {
		return "", "", false, prefixField("whoToNotify", err)
	}
	r, valid := ParseRole(w.Role)
	if !valid {
		return "", "", false, FieldErrorf(CodeInvalidEvent, "whoToNotify.role", "%q is not one of CUSTOMER, OWNER, ADMIN", w.Role)
	}
	return *w.Topic, r, true, nil
}

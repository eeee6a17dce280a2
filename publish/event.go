package publish

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Role is who a recipient is to the shop. notifyd reads it in any case.
type Role string

// The roles notifyd routes by (CUSTOMER: live push and SMS; OWNER, ADMIN: live push, by
// default).
const (
	RoleCustomer Role = "CUSTOMER"
	RoleOwner    Role = "OWNER"
	RoleAdmin    Role = "ADMIN"
)

// Recipient is one person to notify ("whoToNotify"). PhoneNumber (E.164) is needed only
// where an SMS goes out.
type Recipient struct {
	UserID      string `json:"userId"`
	Role        Role   `json:"role"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

// Customer returns a buyer recipient; phone may be empty.
func Customer(userID, phone string) Recipient {
	return Recipient{UserID: userID, Role: RoleCustomer, PhoneNumber: phone}
}

// Owner returns a store-owner recipient.
func Owner(userID string) Recipient { return Recipient{UserID: userID, Role: RoleOwner} }

// Admin returns a system-administrator recipient.
func Admin(userID string) Recipient { return Recipient{UserID: userID, Role: RoleAdmin} }

// Info is what happened ("publishInformation"). Message and URL may be left empty where
// notifyd's type template renders them from Data.
type Info struct {
	NotificationType string `json:"notificationType"`
	Message          string `json:"message,omitempty"`
	URL              string `json:"url,omitempty"`
	// EventID is the idempotency key; Send generates one when it is empty.
	EventID string `json:"eventId,omitempty"`
	// SendAt, when set, is when the notifications become visible (at most 30 days ahead
	// by default; a past time is immediate).
	SendAt *time.Time `json:"sendAt,omitempty"`
	// CollapseKey, when set, makes this notification replace the recipient's older one
	// with the same key (e.g. one order's status).
	CollapseKey string `json:"collapseKey,omitempty"`
	// Data is any JSON object (a map or a struct) the type's templates may use.
	Data any `json:"data,omitempty"`
}

// NotificationData is one event in notifyd's wire format.
type NotificationData struct {
	WhoToNotify        []Recipient `json:"whoToNotify"`
	PublishInformation Info        `json:"publishInformation"`
	// Topic, when set, stands for WhoToNotify: the event goes to every subscriber of the
	// topic when notifyd accepts it (ForTopic).
	Topic *Topic `json:"-"`
}

// Topic names a topic's subscribers as the recipients of an event, each as Role.
type Topic struct {
	Name string `json:"topic"` // 1–200 characters of A–Z a–z 0–9 . _ : -, e.g. restock:product-123
	Role Role   `json:"role"`
}

// ForTopic builds an event for every subscriber of topic (a restock alert), each
// notified as role.
func ForTopic(topic string, role Role, info Info) NotificationData {
	return NotificationData{Topic: &Topic{Name: topic, Role: role}, PublishInformation: info}
}

// ForOne builds an event for one recipient.
func ForOne(r Recipient, info Info) NotificationData {
	return NotificationData{WhoToNotify: []Recipient{r}, PublishInformation: info}
}

// ForMany builds one event for several recipients: each gets their own notification.
func ForMany(rs []Recipient, info Info) NotificationData {
	return NotificationData{WhoToNotify: append([]Recipient(nil), rs...), PublishInformation: info}
}

// MarshalJSON writes whoToNotify as one object for a single recipient (as Spring
// producers do), as {"topic", "role"} for a topic, and as an array otherwise.
func (n NotificationData) MarshalJSON() ([]byte, error) {
	var who any = n.WhoToNotify
	switch {
	case n.Topic != nil:
		who = n.Topic
	case len(n.WhoToNotify) == 1:
		who = n.WhoToNotify[0]
	}
	return json.Marshal(struct {
		WhoToNotify        any  `json:"whoToNotify"`
		PublishInformation Info `json:"publishInformation"`
	}{who, n.PublishInformation})
}

// WithEventID returns n with an eventId: its own, or a new random one.
func (n NotificationData) WithEventID() NotificationData {
	if n.PublishInformation.EventID == "" {
		n.PublishInformation.EventID = NewEventID()
	}
	return n
}

// NewEventID returns a random event id (a version 4 UUID).
func NewEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// prepare gives every event an id and encodes it.
func prepare(events []NotificationData) ([]NotificationData, [][]byte, error) {
	out := make([]NotificationData, len(events))
	bodies := make([][]byte, len(events))
	for i, ev := range events {
		out[i] = ev.WithEventID()
		b, err := json.Marshal(out[i])
		if err != nil {
			return nil, nil, &EncodeError{Index: i, Err: err}
		}
		bodies[i] = b
	}
	return out, bodies, nil
}

func eventIDs(events []NotificationData) []string {
	ids := make([]string, len(events))
	for i, ev := range events {
		ids[i] = ev.PublishInformation.EventID
	}
	return ids
}

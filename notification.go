package notify

import (
	"bytes"
	"encoding/json"
	"time"
)

// Notification is what one recipient was told about one event. It is stored before anything
// is sent; Seq is its place in the recipient's own gap-free sequence (the SSE event id).
type Notification struct {
	ID        int64      `json:"id"`
	UserID    string     `json:"-"`
	Seq       int64      `json:"seq"`
	EventID   string     `json:"eventId"` // the event's idempotency key
	Type      string     `json:"type"`
	Message   string     `json:"message"`
	URL       string     `json:"url,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	ReadAt    *time.Time `json:"readAt,omitempty"`
	// SeenAt: the recipient opened the inbox while it was there (the bell's badge counts
	// the unseen). ArchivedAt: the recipient put it away; it leaves the default list.
	SeenAt     *time.Time `json:"seenAt,omitempty"`
	ArchivedAt *time.Time `json:"archivedAt,omitempty"`
	// Replaces is the id of the older notification with the same collapse key that this
	// one replaced (0: none).
	Replaces int64 `json:"replaces,omitempty"`
	// ReplacedBy is the newer notification that replaced this one (0: none). Lists and
	// counts skip replaced notifications; replay reads them to keep its sequence whole
	// and does not send them.
	ReplacedBy int64 `json:"-"`
	// Data is what notifyd adds for the client: a digest's {"count","eventIds"}.
	Data json.RawMessage `json:"data,omitempty"`
}

// Read reports whether the recipient has marked it read.
func (n *Notification) Read() bool { return n.ReadAt != nil }

// View is a notification as the inbox API and the SSE stream show it to its recipient.
type View struct {
	ID        int64     `json:"id"`
	Seq       int64     `json:"seq"`
	EventID   string    `json:"eventId"`
	Type      string    `json:"type"`
	Message   string    `json:"message"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"createdAt"`
	Read      bool      `json:"read"`
	// The states: null or the time the recipient reached it.
	ReadAt     *time.Time `json:"readAt"`
	SeenAt     *time.Time `json:"seenAt"`
	ArchivedAt *time.Time `json:"archivedAt"`
	// Replaces names the notification this one replaces (same collapse key): a client swaps
	// it in place.
	Replaces int64           `json:"replaces,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
}

// View returns the notification as its recipient sees it.
func (n *Notification) View() View {
	return View{ID: n.ID, Seq: n.Seq, EventID: n.EventID, Type: n.Type, Message: n.Message, URL: n.URL, CreatedAt: n.CreatedAt, Read: n.ReadAt != nil,
		ReadAt: n.ReadAt, SeenAt: n.SeenAt, ArchivedAt: n.ArchivedAt, Replaces: n.Replaces, Data: n.Data}
}

// DeliveryStatus is where a queued delivery (sms, email, webpush) stands:
//
//	pending | scheduled → sending (leased) → sent | failed | skipped
//	pending | scheduled → cancelled
//	sent → delivered | undelivered (the provider's report, with its code)
//
// A scheduled delivery waits for its next_attempt_at (quiet hours, escalation, sendAt) and is
// then worked like a pending one. A sending row whose lease ran out is claimed again.
type DeliveryStatus string

// The delivery statuses.
const (
	StatusPending   DeliveryStatus = "pending"
	StatusScheduled DeliveryStatus = "scheduled"
	StatusSending   DeliveryStatus = "sending"
	StatusSent      DeliveryStatus = "sent"
	StatusFailed    DeliveryStatus = "failed"
	StatusSkipped   DeliveryStatus = "skipped"
	StatusCancelled DeliveryStatus = "cancelled"
	// StatusDelivered: the provider or the handset confirmed it (a delivery report).
	StatusDelivered DeliveryStatus = "delivered"
	// StatusUndelivered: the provider reported a final failure after accepting it.
	StatusUndelivered DeliveryStatus = "undelivered"
)

// Final reports whether a delivery in status s is done with (nothing more will be sent).
func (s DeliveryStatus) Final() bool {
	switch s {
	case StatusSent, StatusFailed, StatusSkipped, StatusCancelled, StatusDelivered, StatusUndelivered:
		return true
	}
	return false
}

// Reasons a delivery was skipped (Delivery.Reason): short codes, stable for clients and
// metrics. The human detail goes to Delivery.LastError.
const (
	ReasonOptedOut             = "opted_out"
	ReasonNoPhone              = "no_phone"
	ReasonNoEmail              = "no_email"
	ReasonNoSubscription       = "no_subscription"
	ReasonNoDevice             = "no_device"     // mobile: no device registered on a configured platform
	ReasonNoAdConsent          = "no_ad_consent" // an advertising type to a user without adConsent
	ReasonCapped               = "capped"
	ReasonThrottled            = "throttled"
	ReasonReadBeforeEscalation = "read_before_escalation"
	// ReasonReplaced: cancelled, not sent, because a newer notification of the same
	// collapse key replaced its notification first (an SMS "배송 시작" held by quiet hours
	// does not follow "배송 완료").
	ReasonReplaced = "replaced"
	// ReasonTemplateVariableEmpty: failed before any call, an AlimTalk variable rendered empty.
	ReasonTemplateVariableEmpty = "template_variable_empty"
	// ReasonNotKoreanNumber: a Korean provider (solapi, nhn) sends only to +82 numbers.
	ReasonNotKoreanNumber = "not_korean_number"
)

// Delivery is one notification on one queued channel.
type Delivery struct {
	ID             int64          `json:"id"`
	NotificationID int64          `json:"notificationId"`
	Channel        Channel        `json:"channel"`
	Status         DeliveryStatus `json:"status"`
	Attempts       int            `json:"attempts"`
	LastError      string         `json:"lastError,omitempty"`
	Reason         string         `json:"reason,omitempty"` // why it was skipped: a Reason… code
	Provider       string         `json:"provider,omitempty"`
	ProviderID     string         `json:"providerMessageId,omitempty"`
	FailedOver     []string       `json:"failedOver,omitempty"` // providers that failed before Provider, "name: error"
	NextAttemptAt  *time.Time     `json:"nextAttemptAt,omitempty"`
	SentAt         *time.Time     `json:"sentAt,omitempty"`
	UpdatedAt      time.Time      `json:"updatedAt"`
	// ProviderCode is the provider's result code of a refusal or a delivery report.
	ProviderCode string `json:"providerCode,omitempty"`
	// Truncated: the text was cut to fit an LMS (the link kept).
	Truncated bool `json:"truncated,omitempty"`
	// Fallback is what an AlimTalk the provider could not deliver went out as instead
	// ("sms" or "lms"), with that message's own provider id.
	Fallback           string `json:"fallback,omitempty"`
	FallbackProviderID string `json:"fallbackProviderMessageId,omitempty"`
}

// Message is one notification to send to one address on one channel, as a channel's sender
// sees it. DeliveryID doubles as the provider's idempotency key.
type Message struct {
	DeliveryID int64
	Attempt    int
	Channel    Channel
	UserID     string
	To         string // the address: E.164 for sms, an email address, a push subscription
	Type       string
	Text       string
	URL        string
	EventID    string
	// NotificationID and CollapseKey are the notification's (mobile push sends them as
	// data and as the platform's collapse id; CollapseKey "" when it has none).
	NotificationID int64
	CollapseKey    string
	// Data is the event's data object (JSON), for channels that render templates (email).
	Data json.RawMessage
	// TraceParent is the W3C trace context the event came with (empty if none): the
	// parent of the delivery's span and the trace id in its logs.
	TraceParent string
	// Advertising marks a message of an advertising type; AdFooter is the sender and free
	// opt-out line it must end with (NOTIFY_AD_FOOTER). Channels decorate with AdMarks.
	Advertising bool
	AdFooter    string
}

// AdPrefix starts the text of every advertisement (Korean Network Act §50).
const AdPrefix = "(광고)"

// AdMarks are what an advertising message's text starts and ends with: "(광고) " and a
// new line with the footer; both empty for any other message.
func (m Message) AdMarks() (prefix, suffix string) {
	if !m.Advertising {
		return "", ""
	}
	if m.AdFooter != "" {
		suffix = "\n" + m.AdFooter
	}
	return AdPrefix + " ", suffix
}

// AdText is body with the advertising marks, when m is an advertisement.
func (m Message) AdText(body string) string {
	prefix, suffix := m.AdMarks()
	return prefix + body + suffix
}

// TemplateData is what a channel's templates render over: the event's data fields plus
// message, url and type (the notification's own, which win over data fields of the same
// name).
func (m Message) TemplateData() map[string]any {
	data := map[string]any{}
	if len(m.Data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(m.Data))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil || data == nil {
			data = map[string]any{}
		}
	}
	data["message"], data["url"], data["type"] = m.Text, m.URL, m.Type
	return data
}

// StateChange is what one inbox action changed for one user, as the user's other streams
// are told (the SSE "state" event). Either IDs names the notifications, or UpToSeq bounds
// a bulk action: every notification of the user with seq <= UpToSeq (of Type, when set).
// Each non-nil time is the new value of that field; Unarchived clears archivedAt.
//
// Refresh (alone, with no other field) says that state changes may have been missed: a
// replica's link to the other replicas (Redis, or PostgreSQL's listener) was down, and
// state changes made on another replica meanwhile were lost to this stream. The client
// lists its notifications again, which carry their current state.
type StateChange struct {
	UserID     string     `json:"-"`
	IDs        []int64    `json:"ids,omitempty"`
	UpToSeq    int64      `json:"upToSeq,omitempty"`
	Type       string     `json:"type,omitempty"`
	ReadAt     *time.Time `json:"readAt,omitempty"`
	SeenAt     *time.Time `json:"seenAt,omitempty"`
	ArchivedAt *time.Time `json:"archivedAt,omitempty"`
	Unarchived bool       `json:"unarchived,omitempty"`
	Refresh    bool       `json:"refresh,omitempty"`
}

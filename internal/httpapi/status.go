package httpapi

import (
	"encoding/json"
	"strings"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// The event status view: every recipient with its channels. The inbox has no delivery row
// (the stored notification is what lists, streams and replays), so its status is derived:
// "stored" with the user's seq, and whether it was read.
type eventStatusView struct {
	EventID    string          `json:"eventId"`
	Type       string          `json:"type"`
	Source     string          `json:"source"`
	ReceivedAt time.Time       `json:"receivedAt"`
	Payload    json.RawMessage `json:"payload"`
	Recipients []recipientView `json:"recipients"`
	// Scheduled: the notifications that wait or waited (sendAt, digest) and their status:
	// pending, digested, released (notificationId), cancelled.
	Scheduled []store.Pending `json:"scheduled,omitempty"`
	// Topic: an event to a topic, its fan-out's progress ({name, subscribers, done,
	// finished}); Throttled: the users the type's throttle kept from it.
	Topic     *store.TopicProgress `json:"topic,omitempty"`
	Throttled []string             `json:"throttled,omitempty"`
	// The lists' full lengths: recipients come a page at a time (?limit=, ?after=);
	// scheduled and throttled list at most as many as a page. NextAfter is the ?after=
	// of the next page of recipients, absent on the last.
	RecipientCount int64 `json:"recipientCount"`
	ScheduledCount int64 `json:"scheduledCount,omitempty"`
	ThrottledCount int64 `json:"throttledCount,omitempty"`
	NextAfter      int64 `json:"nextAfter,omitempty"`
}

type recipientView struct {
	UserID         string        `json:"userId"`
	Role           notify.Role   `json:"role"`
	NotificationID int64         `json:"notificationId"`
	Seq            int64         `json:"seq"`
	Read           bool          `json:"read"`
	Channels       []channelView `json:"channels"`
}

type channelView struct {
	Channel           notify.Channel `json:"channel"`
	Status            string         `json:"status"`
	Attempts          int            `json:"attempts,omitempty"`
	LastError         string         `json:"lastError,omitempty"`
	Reason            string         `json:"reason,omitempty"`
	Provider          string         `json:"provider,omitempty"`
	ProviderMessageID string         `json:"providerMessageId,omitempty"`
	FailedOver        []string       `json:"failedOver,omitempty"`
	SentAt            *time.Time     `json:"sentAt,omitempty"`
	NextAttemptAt     *time.Time     `json:"nextAttemptAt,omitempty"`
	UpdatedAt         *time.Time     `json:"updatedAt,omitempty"`
	// Round 3: the provider's code of a refusal or a report, a text cut to fit an LMS,
	// and what an AlimTalk fell back to (sms|lms) with that message's provider id.
	ProviderCode              string `json:"providerCode,omitempty"`
	Truncated                 bool   `json:"truncated,omitempty"`
	Fallback                  string `json:"fallback,omitempty"`
	FallbackProviderMessageID string `json:"fallbackProviderMessageId,omitempty"`
}

func eventStatusJSON(st *store.EventStatus) eventStatusView {
	v := eventStatusView{EventID: st.Key, Type: st.Type, Source: st.Source, ReceivedAt: st.ReceivedAt, Payload: redactPayload(st.Payload), Recipients: []recipientView{}, Scheduled: st.Scheduled, Topic: st.Topic, Throttled: st.Throttled,
		RecipientCount: st.RecipientCount, ScheduledCount: st.ScheduledCount, ThrottledCount: st.ThrottledCount, NextAfter: st.NextAfter}
	for _, rs := range st.Recipients {
		n := rs.Notification
		rv := recipientView{UserID: rs.UserID, Role: rs.Role, NotificationID: n.ID, Seq: n.Seq, Read: n.ReadAt != nil,
			Channels: []channelView{{Channel: notify.ChannelInbox, Status: "stored"}}}
		for _, d := range rs.Deliveries {
			updated := d.UpdatedAt
			rv.Channels = append(rv.Channels, channelView{Channel: d.Channel, Status: string(d.Status), Attempts: d.Attempts, LastError: d.LastError,
				Reason: d.Reason, Provider: d.Provider, ProviderMessageID: d.ProviderID, FailedOver: d.FailedOver, SentAt: d.SentAt, NextAttemptAt: d.NextAttemptAt, UpdatedAt: &updated,
				ProviderCode: d.ProviderCode, Truncated: d.Truncated, Fallback: d.Fallback, FallbackProviderMessageID: d.FallbackProviderID})
		}
		v.Recipients = append(v.Recipients, rv)
	}
	return v
}

// maskEmail keeps the first character and the domain: b***@example.com.
func maskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}

// redactPayload masks phone numbers and email addresses in the stored payload shown to admins.
func redactPayload(raw json.RawMessage) json.RawMessage {
	var doc map[string]any
	if json.Unmarshal(raw, &doc) != nil {
		return raw
	}
	if rs, ok := doc["whoToNotify"].([]any); ok {
		for _, r := range rs {
			if m, ok := r.(map[string]any); ok {
				if p, ok := m["phoneNumber"].(string); ok {
					m["phoneNumber"] = notify.MaskPhone(p)
				}
				if e, ok := m["email"].(string); ok {
					m["email"] = maskEmail(e)
				}
			}
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return raw
	}
	return out
}

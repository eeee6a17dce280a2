package store

import (
	"encoding/json"
	"time"
)

// PushSubscription is one browser's Web Push subscription (the PushSubscription JSON a
// browser hands its page), owned by one user.
type PushSubscription struct {
	ID        int64     `json:"id"`
	UserID    string    `json:"userId"`
	Endpoint  string    `json:"endpoint"`
	P256dh    string    `json:"p256dh"` // the browser's P-256 public key, base64url
	Auth      string    `json:"auth"`   // the 16-byte auth secret, base64url
	UserAgent string    `json:"userAgent,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// MaxPushSubscriptions is how many Web Push subscriptions one user keeps. Browsers make
// a new endpoint when they rotate or reinstall, and each event is sent to every one of a
// user's subscriptions, so without a cap a client (or an attacker with one user's token)
// could make every event for that user cost thousands of sends. Twenty covers a person's
// browsers and devices; the oldest goes first, as it is the likeliest to be stale.
const MaxPushSubscriptions = 20

// WebhookTarget is an outbound webhook endpoint and the event names it wants; the store
// writes one outbox row per state change and endpoint that wants it.
type WebhookTarget struct {
	Endpoint string
	Events   []string
}

// Outbox row statuses.
const (
	OutboxPending   = "pending"
	OutboxSending   = "sending"
	OutboxDelivered = "delivered"
	OutboxFailed    = "failed" // gave up; notifyctl webhooks replay sends it again
)

// OutboxRow is one outbound webhook message: its ID is the webhook-id.
type OutboxRow struct {
	ID            int64           `json:"id"`
	Endpoint      string          `json:"endpoint"`
	Event         string          `json:"event"`
	Payload       json.RawMessage `json:"payload"`
	Status        string          `json:"status"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt time.Time       `json:"nextAttemptAt"`
	LastError     string          `json:"lastError,omitempty"`
	CreatedAt     time.Time       `json:"createdAt"`
	DeliveredAt   *time.Time      `json:"deliveredAt,omitempty"`
}

// OutboxOutcome is the result of one webhook attempt: delivered, failed (given up) or
// pending again at NextAttemptAt.
type OutboxOutcome struct {
	Status        string
	Error         string
	NextAttemptAt time.Time
	At            time.Time
}

// OutboxFilter narrows ListOutbox. Zero values mean no filter.
type OutboxFilter struct {
	Status  string
	AfterID int64
	Limit   int
}

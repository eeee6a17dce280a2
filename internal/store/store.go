// Package store defines the one contract every notifyd storage backend implements
// (SQLite embedded, MySQL/MariaDB in production). Backends live in subpackages; the shared
// test body that proves each one is in storetest.
package store

import (
	"context"
	"encoding/json"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
)

// Store is notifyd's durable state. Every method is safe for concurrent use.
type Store interface {
	// Accept stores a batch of prepared events in ONE transaction. For each input it either
	// writes the event, one notification per target (with the target's next sequence number)
	// and one delivery per target and queued channel, or, when the key is already known,
	// writes nothing and returns the original ids (Duplicate). A known key whose payload hash
	// differs yields a per-input CodeIdempotency error; the rest of the batch still commits.
	// A non-nil error means nothing was committed.
	Accept(ctx context.Context, in []AcceptInput) ([]AcceptResult, error)

	// ListNotifications returns userID's notifications newest first, those with
	// seq < before (before <= 0: from the newest).
	ListNotifications(ctx context.Context, userID string, before int64, limit int) ([]notify.Notification, error)
	// NotificationsAfter returns userID's notifications with seq > after, oldest first,
	// replaced ones too (ReplacedBy set), so every seq is there; ListNotifications and
	// UnreadCount skip replaced ones.
	NotificationsAfter(ctx context.Context, userID string, after int64, limit int) ([]notify.Notification, error)
	// LastSeqs returns the newest sequence number of each user that has one.
	LastSeqs(ctx context.Context, userIDs []string) (map[string]int64, error)
	UnreadCount(ctx context.Context, userID string) (int, error)
	// MarkRead marks one of userID's notifications read; ErrNotFound when userID has no
	// notification with that id (whoever else has it).
	MarkRead(ctx context.Context, userID string, id int64, at time.Time) error
	MarkAllRead(ctx context.Context, userID string, at time.Time) (int64, error)

	// Inbox states (round 2). ListInbox pages through userID's notifications newest first
	// under a filter; the cursor is a seq, so notifications arriving meanwhile (higher
	// seqs) never shift a page.
	ListInbox(ctx context.Context, userID string, f InboxFilter) ([]notify.Notification, error)
	// InboxCounts counts userID's unread and unseen notifications that are not archived.
	InboxCounts(ctx context.Context, userID string) (InboxCounts, error)
	// MarkReadUpTo marks read every unread notification of userID with seq <= upToSeq
	// (of typ, when not empty); it returns how many changed.
	MarkReadUpTo(ctx context.Context, userID, typ string, upToSeq int64, at time.Time) (int64, error)
	// MarkSeenUpTo marks seen every unseen notification of userID with seq <= upToSeq.
	MarkSeenUpTo(ctx context.Context, userID string, upToSeq int64, at time.Time) (int64, error)
	// SetArchived archives (at non-nil; an archived one keeps its first time) or
	// unarchives (at nil) one of userID's notifications; ErrNotFound as MarkRead.
	SetArchived(ctx context.Context, userID string, id int64, at *time.Time) error

	// ClaimDeliveries leases up to limit due deliveries of channel: pending and scheduled
	// ones whose next attempt is due, and sending ones whose lease expired. Each claim bumps
	// Attempt; the lease holds across processes. The messages carry the channel and the
	// event's data.
	ClaimDeliveries(ctx context.Context, channel notify.Channel, now time.Time, lease time.Duration, limit int) ([]notify.Message, error)
	// RenewDelivery extends the lease of the attempt a claim returned to until. It is fenced
	// on that attempt: ErrLeaseLost when another claim took the row since, or it is no
	// longer sending.
	RenewDelivery(ctx context.Context, deliveryID int64, attempt int, until time.Time) error
	// CompleteDelivery records the outcome of the attempt a claim returned. It is fenced on
	// that attempt: ErrLeaseLost when another claim took the row since.
	CompleteDelivery(ctx context.Context, deliveryID int64, attempt int, o Outcome) error
	// CountSent counts deliveries of channel to address sent (or being sent) since.
	CountSent(ctx context.Context, channel notify.Channel, address string, since time.Time) (int, error)

	// Delivery reports and fallback (reports.go).
	Reports

	// EventStatus returns an event with its notifications and their deliveries, all of
	// them: EventStatusPage(ctx, eventKey, StatusPage{}).
	EventStatus(ctx context.Context, eventKey string) (*EventStatus, error)
	// EventStatusPage returns an event with one page of its notifications (by id, after
	// p.After, at most p.Limit; 0: all) and their deliveries, the pending and throttled
	// lists cut to p.Limit, and how many of each there are in all.
	EventStatusPage(ctx context.Context, eventKey string, p StatusPage) (*EventStatus, error)

	// SaveRejected keeps a message that can never be accepted, with its reason. The same
	// source message saved twice is kept once, its receive count raised.
	SaveRejected(ctx context.Context, r Rejected) (int64, error)
	ListRejected(ctx context.Context, f RejectedFilter) ([]Rejected, error)
	GetRejected(ctx context.Context, id int64) (*Rejected, error)
	// MarkReplayed records that a rejected message was accepted on replay.
	MarkReplayed(ctx context.Context, id int64, eventKey string, at time.Time) error

	// SavePushSubscription stores a browser's subscription for its user. An endpoint is one
	// browser: saving a known endpoint replaces its keys and owner. A user keeps at most
	// MaxPushSubscriptions: saving one more drops their oldest.
	SavePushSubscription(ctx context.Context, sub PushSubscription) error
	// PushSubscriptions returns userID's subscriptions, oldest first.
	PushSubscriptions(ctx context.Context, userID string) ([]PushSubscription, error)
	// DeletePushSubscription removes userID's subscription with that endpoint; false when
	// userID has none.
	DeletePushSubscription(ctx context.Context, userID, endpoint string) (bool, error)

	// SetWebhooks names the outbound webhook endpoints: from then on each state change an
	// endpoint wants (delivery.sent|failed|skipped, notification.read) writes an outbox row
	// for it in the transaction that makes the change.
	SetWebhooks(targets []WebhookTarget)
	// ClaimOutbox leases up to limit due outbox rows (pending and due, or sending with an
	// expired lease); each claim bumps Attempts.
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxRow, error)
	// CompleteOutbox records an attempt's outcome, fenced on it (ErrLeaseLost).
	CompleteOutbox(ctx context.Context, id int64, attempt int, o OutboxOutcome) error
	ListOutbox(ctx context.Context, f OutboxFilter) ([]OutboxRow, error)
	// ReplayOutbox makes a row due again now (same id, so the same webhook-id);
	// ErrNotFound for an unknown id.
	ReplayOutbox(ctx context.Context, id int64, now time.Time) error
	Recipients

	// Mobile push devices (devices.go).
	Devices

	// Timing: scheduled notifications, digests, cancellation (timing.go).
	Scheduler

	// Retention: purging old rows, one replica at a time (retention.go).
	Retention
	// The operator's console: the activity feed, attempts, traffic (console.go).
	Console
	// Topic subscriptions and the fan-out of topic events (topics.go).
	Topics

	// Ping checks the store can be reached.
	Ping(ctx context.Context) error
	Close() error
}

// AcceptInput is one prepared event to store under its idempotency key.
type AcceptInput struct {
	Key         string // eventId, Idempotency-Key or the source message id
	PayloadHash string // hash of the normalised payload: same key, other hash = conflict
	Source      string // "http", "sqs:<queue>", …
	TraceParent string // W3C trace context carried from the producer, if any
	Prepared    *notify.Prepared
	ReceivedAt  time.Time
	// Defaults are what the delivery decision (internal/prefs) falls back on: the default
	// zone and quiet hours.
	Defaults prefs.Defaults
	// Payload, when set, is Prepared.Event.MarshalJSON() as the caller already encoded it
	// (ingest does, to hash it): the store writes it as is instead of encoding again.
	// Nil: the store encodes Prepared.Event.
	Payload []byte
	// Subscribers, of an event to a topic, is its subscribers as the caller counted them
	// (CountSubscribers) before the transaction, so that counting a million rows does not
	// hold the store's writer. 0: the store counts them in the transaction.
	Subscribers int64
}

// AcceptResult says what became of one AcceptInput.
type AcceptResult struct {
	Key           string
	Duplicate     bool                  // the key was known: nothing was written
	Notifications []notify.Notification // the stored notifications (the originals on a duplicate)
	Scheduled     []Pending             // notifications that wait (sendAt, digest): visible later
	// Topic is set for an event to a topic: its fan-out job, the subscribers counted at
	// accept (0: nobody was subscribed, nothing will be written).
	Topic *TopicProgress
	// Throttled lists the recipients the type's throttle kept from a notification.
	Throttled []string
	Err       error // a per-input failure (CodeIdempotency); nothing written for it
}

// Outcome is the result of one delivery attempt.
type Outcome struct {
	Status        notify.DeliveryStatus // sent, failed, skipped or pending (retry at NextAttemptAt)
	Provider      string                // the provider that sent it
	ProviderID    string
	FailedOver    []string // providers that failed before Provider ("name: error")
	Error         string   // human detail: the provider's error, or why it was skipped
	Reason        string   // for skipped: a notify.Reason… code
	NextAttemptAt time.Time
	At            time.Time

	// ProviderCode is the provider's result code (of a refusal, say).
	ProviderCode string
	// Truncated: the provider sent the text cut to fit an LMS.
	Truncated bool
	// FallbackPlan (sms|lms) and FallbackText say what a kakao delivery falls back to with
	// notifyd's own SMS channel should Kakao not reach the person; recorded with the
	// outcome, so a later report can act on it. Empty: no fallback by notifyd (none
	// configured, or the provider falls back itself).
	FallbackPlan string
	FallbackText string
	// Refused: the provider refused the message for this person (not a KakaoTalk user,
	// blocked, template mismatch). With a FallbackPlan the fallback SMS delivery is created
	// in the transaction that records this outcome.
	Refused bool
}

// EventStatus is an event with everything that became of it.
type EventStatus struct {
	Key        string            `json:"eventId"`
	Type       string            `json:"type"`
	Source     string            `json:"source"`
	ReceivedAt time.Time         `json:"receivedAt"`
	Payload    json.RawMessage   `json:"payload"`
	Recipients []RecipientStatus `json:"recipients"`
	// Scheduled are the event's notifications that wait or waited (sendAt, digest).
	Scheduled []Pending `json:"scheduled,omitempty"`
	// Topic is the fan-out of an event to a topic (nil for other events).
	Topic *TopicProgress `json:"topic,omitempty"`
	// Throttled lists the users the type's throttle kept from a notification.
	Throttled []string `json:"throttled,omitempty"`
	// The lists' full lengths (a page of a topic's event lists a part of them), and the
	// After of the next page of recipients (0: this page is the last).
	RecipientCount int64 `json:"recipientCount"`
	ScheduledCount int64 `json:"scheduledCount"`
	ThrottledCount int64 `json:"throttledCount"`
	NextAfter      int64 `json:"nextAfter,omitempty"`
}

// StatusPage is which part of an event's lists EventStatusPage and CancelEvent show.
type StatusPage struct {
	After int64 // recipients whose notification id is above this
	Limit int   // at most this many of each list (0: all)
}

// MaxListed is how many of each list the API shows of one event at most: the
// recipients of GET /v1/events/{eventId} per page, and each list of a cancel's answer.
// A topic's event may reach a million users; its lists come with their counts.
const MaxListed = 1000

// RecipientStatus is one notification of an event and its channels.
type RecipientStatus struct {
	UserID       string              `json:"userId"`
	Role         notify.Role         `json:"role"`
	Notification notify.Notification `json:"notification"`
	Deliveries   []notify.Delivery   `json:"deliveries"`
}

// InboxFilter narrows ListInbox. Zero values: every status, archived excluded, any type,
// from the newest.
type InboxFilter struct {
	Status   string // "" or InboxAll, InboxUnread, InboxRead
	Archived string // "" or ArchivedExclude, ArchivedInclude, ArchivedOnly
	Type     string
	Before   int64 // only seq < Before (<= 0: from the newest)
	Limit    int
}

// The InboxFilter values.
const (
	InboxAll        = "all"
	InboxUnread     = "unread"
	InboxRead       = "read"
	ArchivedExclude = "exclude"
	ArchivedInclude = "include"
	ArchivedOnly    = "only"
)

// InboxCounts are the numbers the bell shows.
type InboxCounts struct {
	Unread int `json:"count"`
	Unseen int `json:"unseen"`
}

// Rejected is a message a source could not accept, kept so it can be replayed.
type Rejected struct {
	ID           int64      `json:"id"`
	Source       string     `json:"source"`
	Queue        string     `json:"queue,omitempty"`
	MessageID    string     `json:"messageId,omitempty"`
	Body         string     `json:"body"`
	Code         string     `json:"code"`
	Reason       string     `json:"reason"`
	ReceiveCount int        `json:"receiveCount"`
	Status       string     `json:"status"` // rejected | replayed
	EventKey     string     `json:"eventId,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
	ReplayedAt   *time.Time `json:"replayedAt,omitempty"`
}

// RejectedFilter narrows ListRejected. Zero values mean no filter.
type RejectedFilter struct {
	Status  string
	AfterID int64
	Limit   int
}

// Rejected message statuses.
const (
	RejectedPending  = "rejected"
	RejectedReplayed = "replayed"
)

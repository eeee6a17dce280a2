package store

import (
	"context"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
)

// Scheduler is the part of the store behind scheduled sends, digests and cancellation
// (docs/timing.md). A notification that waits lives as a Pending row until due; releasing
// it writes the notification with the user's next sequence number, so SSE ids stay
// gap-free.
type Scheduler interface {
	// ReleaseDue releases, in ONE transaction, up to limit due pending notifications and
	// due digest windows: it writes their notifications (next seq, deliveries, collapse)
	// and marks the pending rows released. Rows another releaser is releasing are skipped
	// (MySQL: SKIP LOCKED; SQLite has one writer). It returns the new notifications, to be
	// published once the transaction committed, and whether more were due than limit.
	// d decides the deliveries of what it releases (the accepting transaction has the
	// same from the event itself).
	ReleaseDue(ctx context.Context, now time.Time, limit int, d Decide) (released []notify.Notification, more bool, err error)
	// CancelEvent cancels, in one transaction, what of an event has not gone out: its
	// pending notifications and its deliveries still pending or scheduled. It is idempotent:
	// the answer describes the event's state, whoever cancelled it. ErrNotFound: no such event.
	CancelEvent(ctx context.Context, eventKey string, at time.Time) (*CancelResult, error)
}

// Decide is what the delivery decision (internal/prefs) of a released notification needs
// beyond the stored row: its type's rules and the service's defaults.
type Decide struct {
	Rules    func(eventType string) prefs.Rules // nil: no rules
	Defaults prefs.Defaults
}

// RulesOf returns the rules d gives typ.
func (d Decide) RulesOf(typ string) prefs.Rules {
	if d.Rules == nil {
		return prefs.Rules{}
	}
	return d.Rules(typ)
}

// Pending statuses.
const (
	PendingWaiting   = "pending"   // waits for its sendAt
	PendingDigested  = "digested"  // waits in a digest window
	PendingReleased  = "released"  // visible: NotificationID is its notification
	PendingCancelled = "cancelled" // cancelled before it became visible
)

// Pending is one notification of an event that waits or waited to become visible.
type Pending struct {
	UserID         string    `json:"userId"`
	Status         string    `json:"status"`
	DueAt          time.Time `json:"dueAt"`
	Digest         bool      `json:"digest,omitempty"`
	NotificationID int64     `json:"notificationId,omitempty"`
}

// CancelResult is what a cancel left of an event: what is cancelled and what went out
// before it (or is going out: a delivery in flight cannot be called back).
type CancelResult struct {
	EventID   string       `json:"eventId"`
	Cancelled CancelledSet `json:"cancelled"`
	GoneOut   GoneOutSet   `json:"alreadyOut"`
}

// CancelledSet lists what a cancel withdrew.
type CancelledSet struct {
	Notifications []Pending         `json:"notifications"`
	Deliveries    []notify.Delivery `json:"deliveries"`
	// The full counts: each list holds at most MaxListed (the first by id).
	NotificationCount int64 `json:"notificationCount"`
	DeliveryCount     int64 `json:"deliveryCount"`
}

// GoneOutSet lists what was already visible or sent when the cancel came.
type GoneOutSet struct {
	Notifications []notify.Notification `json:"notifications"`
	Deliveries    []notify.Delivery     `json:"deliveries"`
	// The full counts: each list holds at most MaxListed (the first by id).
	NotificationCount int64 `json:"notificationCount"`
	DeliveryCount     int64 `json:"deliveryCount"`
}

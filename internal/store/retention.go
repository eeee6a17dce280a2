package store

import (
	"context"
	"time"
)

// Retention is the deletion of old data, and the lease that lets one replica at a time
// run it. Every purge method is one short transaction over at most limit rows, so a
// caller deletes a large backlog in many small steps without holding the writer long.
type Retention interface {
	// StoredTypes lists the notification types that have stored notifications.
	StoredTypes(ctx context.Context) ([]string, error)
	// PurgeNotifications deletes up to limit notifications of typ created before before,
	// oldest first, with their deliveries and the scheduled rows released into them. A
	// notification one of whose deliveries is still to go (pending, scheduled, sending)
	// is kept. The per-user sequence is not touched: a purge never frees an SSE id.
	// Fewer than limit notifications deleted means none of typ is left to purge.
	PurgeNotifications(ctx context.Context, typ string, before time.Time, limit int) (Purged, error)
	// PurgeOutbox deletes up to limit delivered webhook outbox rows created before
	// before, lowest id first; rows still to send or failed (replayable) are kept.
	PurgeOutbox(ctx context.Context, before time.Time, limit int) (int64, error)
	// EventTypes lists the types of the stored events.
	EventTypes(ctx context.Context) ([]string, error)
	// PurgeEvents deletes up to limit events of typ created before before, oldest first,
	// that nothing still needs: none of their notifications is left, none of their
	// scheduled notifications waits (pending, digested), no digest window of theirs is
	// open and no topic fan-out of theirs runs. Their rows that only remember them go
	// with them (cancelled scheduled rows, closed digest windows, finished fan-out jobs,
	// throttled recipients). With the event goes its idempotency key: the caller's
	// cutoff keeps keys for the dedupe window at least. Fewer than limit deleted means
	// none of typ is left to purge.
	PurgeEvents(ctx context.Context, typ string, before time.Time, limit int) (int64, error)
	// CountPurgeable counts what the purge methods would delete at these cutoffs. Events
	// are counted as they stand: an event whose notifications this pass would delete
	// first is not counted, and goes in the pass after.
	CountPurgeable(ctx context.Context, c PurgeCutoffs) (Purged, error)
	// OldestNotification returns the creation time of the oldest notification kept (the
	// lowest id); ok is false when there is none.
	OldestNotification(ctx context.Context) (at time.Time, ok bool, err error)
	// TakeLease takes or renews the named lease for holder until now+ttl, and reports
	// whether holder has it: false while another holder's lease has not expired.
	TakeLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	// ReleaseLease gives up the named lease if holder has it, so the next holder need not
	// wait out its ttl; another holder's lease is left alone.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// PurgeCutoffs are the creation times before which rows go: notifications by type,
// events by type, and delivered webhook outbox rows.
type PurgeCutoffs struct {
	Types  map[string]time.Time
	Events map[string]time.Time
	Outbox time.Time
}

// Purged counts deleted (or, for CountPurgeable, deletable) rows by table.
type Purged struct {
	Notifications int64 `json:"notifications"`
	Deliveries    int64 `json:"deliveries"`
	Scheduled     int64 `json:"scheduled"`
	Outbox        int64 `json:"outbox"`
	Events        int64 `json:"events"`
}

// Add returns the sums of p and q.
func (p Purged) Add(q Purged) Purged {
	return Purged{Notifications: p.Notifications + q.Notifications, Deliveries: p.Deliveries + q.Deliveries,
		Scheduled: p.Scheduled + q.Scheduled, Outbox: p.Outbox + q.Outbox, Events: p.Events + q.Events}
}

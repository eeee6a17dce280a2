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
	// CountPurgeable counts what the purge methods would delete at these cutoffs.
	CountPurgeable(ctx context.Context, c PurgeCutoffs) (Purged, error)
	// OldestNotification returns the creation time of the oldest notification kept (the
	// lowest id); ok is false when there is none.
	OldestNotification(ctx context.Context) (at time.Time, ok bool, err error)
	// TakeLease takes or renews the named lease for holder until now+ttl, and reports
	// whether holder has it: false while another holder's lease has not expired.
	TakeLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
}

// PurgeCutoffs are the creation times before which rows go: notifications by type, and
// delivered webhook outbox rows.
type PurgeCutoffs struct {
	Types  map[string]time.Time
	Outbox time.Time
}

// Purged counts deleted (or, for CountPurgeable, deletable) rows by table.
type Purged struct {
	Notifications int64 `json:"notifications"`
	Deliveries    int64 `json:"deliveries"`
	Scheduled     int64 `json:"scheduled"`
	Outbox        int64 `json:"outbox"`
}

// Add returns the sums of p and q.
func (p Purged) Add(q Purged) Purged {
	return Purged{Notifications: p.Notifications + q.Notifications, Deliveries: p.Deliveries + q.Deliveries,
		Scheduled: p.Scheduled + q.Scheduled, Outbox: p.Outbox + q.Outbox}
}

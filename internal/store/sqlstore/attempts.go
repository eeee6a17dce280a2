package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// recordAttempt keeps one attempt's outcome in delivery_attempts, with its channel and the
// time from the event's acceptance to it (the charts' latency; a scheduled or escalated
// delivery's wait counts in), read from the rows it belongs to. fallback is the channel
// kind (sms, lms) the delivery fell back to with this outcome, "" when it did not.
func (s *Store) recordAttempt(ctx context.Context, tx *sql.Tx, id int64, attempt int, o store.Outcome, fallback string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO delivery_attempts (delivery_id, attempt, channel, status, provider, provider_id, error, reason, fallback, latency_ms, at)
		SELECT d.id, ?, d.channel, ?, ?, ?, ?, ?, ?, ? - e.created_at, ? FROM deliveries d JOIN notifications n ON n.id = d.notification_id JOIN events e ON e.id = n.event_id WHERE d.id = ?`,
		attempt, string(o.Status), o.Provider, o.ProviderID, o.Error, o.Reason, fallback, ms(at), ms(at), id)
	return dbErr("record attempt", err)
}

// EventAttempts implements store.Store.
func (s *Store) EventAttempts(ctx context.Context, eventKey string) ([]store.DeliveryAttempt, error) {
	var eventID int64
	if err := s.db.R.QueryRowContext(ctx, `SELECT id FROM events WHERE idem_key = ?`, eventKey).Scan(&eventID); err != nil {
		return nil, dbErr("select event", err)
	}
	r, err := s.db.R.QueryContext(ctx, `SELECT a.delivery_id, a.attempt, a.channel, a.status, a.provider, a.provider_id, a.error, a.reason, a.fallback, a.at
		FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN notifications n ON n.id = d.notification_id
		WHERE n.event_id = ? ORDER BY a.id`, eventID)
	if err != nil {
		return nil, dbErr("select attempts", err)
	}
	defer r.Close()
	out := []store.DeliveryAttempt{}
	for r.Next() {
		var a store.DeliveryAttempt
		var at int64
		if err := r.Scan(&a.DeliveryID, &a.Attempt, &a.Channel, &a.Status, &a.Provider, &a.ProviderID, &a.Error, &a.Reason, &a.Fallback, &at); err != nil {
			return nil, dbErr("scan attempts", err)
		}
		a.At = fromMS(at)
		out = append(out, a)
	}
	return out, dbErr("select attempts", r.Err())
}

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// ClaimDeliveries implements store.Store. A claimed row is "sending" and its
// next_attempt_at is the lease's end: if the claimer dies, the row is due again then
// (RenewDelivery moves it while the claimer lives). A scheduled row whose time has come is
// claimed like a pending one.
func (s *Store) ClaimDeliveries(ctx context.Context, channel notify.Channel, now time.Time, lease time.Duration, limit int) ([]notify.Message, error) {
	var out []notify.Message
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := s.claimDue(ctx, tx, "deliveries", "deliveries", "AND channel = ?", []any{string(channel)},
			[]string{string(notify.StatusPending), string(notify.StatusScheduled), string(notify.StatusSending)}, now, lease, limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		r, err := tx.QueryContext(ctx, `SELECT d.id, d.attempts, d.channel, d.address, n.id, n.collapse_key, n.user_id, n.type, COALESCE(NULLIF(d.body, ''), n.message), n.url, e.idem_key, e.trace_parent, e.payload
			FROM deliveries d JOIN notifications n ON n.id = d.notification_id JOIN events e ON e.id = n.event_id
			WHERE d.id IN (`+placeholders(len(ids))+`) ORDER BY d.id`, anys(ids)...)
		if err != nil {
			return dbErr("select claimed deliveries", err)
		}
		defer r.Close()
		for r.Next() {
			var m notify.Message
			var payload string
			var collapse sql.NullString
			if err := r.Scan(&m.DeliveryID, &m.Attempt, &m.Channel, &m.To, &m.NotificationID, &collapse, &m.UserID, &m.Type, &m.Text, &m.URL, &m.EventID, &m.TraceParent, &payload); err != nil {
				return dbErr("scan claimed deliveries", err)
			}
			m.Data = eventData(payload)
			m.CollapseKey = collapse.String
			out = append(out, m)
		}
		return dbErr("select claimed deliveries", r.Err())
	})
	return out, err
}

// eventData returns the data object of a stored event payload (nil if it has none).
func eventData(payload string) json.RawMessage {
	var ev struct {
		PublishInformation struct {
			Data json.RawMessage `json:"data"`
		} `json:"publishInformation"`
	}
	if json.Unmarshal([]byte(payload), &ev) != nil || string(ev.PublishInformation.Data) == "null" {
		return nil
	}
	return ev.PublishInformation.Data
}

// RenewDelivery implements store.Store. MySQL counts only changed rows, so a renewal to the
// lease end already stored (the same millisecond) is checked by reading the row.
func (s *Store) RenewDelivery(ctx context.Context, id int64, attempt int, until time.Time) error {
	res, err := s.db.W.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = ? WHERE id = ? AND attempts = ? AND status = 'sending'`, ms(until), id, attempt)
	if err != nil {
		return dbErr("renew delivery", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	var n int
	if err := s.db.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE id = ? AND attempts = ? AND status = 'sending'`, id, attempt).Scan(&n); err != nil {
		return dbErr("renew delivery", err)
	}
	if n == 0 {
		return store.ErrLeaseLost
	}
	return nil
}

// CompleteDelivery implements store.Store. An outcome without an error keeps the last
// one recorded, so a delivery sent on its third attempt still shows why the first two
// failed.
func (s *Store) CompleteDelivery(ctx context.Context, id int64, attempt int, o store.Outcome) error {
	at := o.At
	if at.IsZero() {
		at = time.Now()
	}
	next := o.NextAttemptAt
	if next.IsZero() {
		next = at
	}
	var sentAt *int64
	if o.Status == notify.StatusSent {
		v := ms(at)
		sentAt = &v
	}
	failedOver := ""
	if len(o.FailedOver) > 0 {
		b, _ := json.Marshal(o.FailedOver)
		failedOver = string(b)
	}
	update := func(db interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}) error {
		res, err := db.ExecContext(ctx, `UPDATE deliveries SET status = ?, provider = ?, provider_id = ?, failed_over = ?, last_error = COALESCE(NULLIF(?, ''), last_error), reason = ?, next_attempt_at = ?, sent_at = ?, updated_at = ?,
			provider_code = ?, truncated = ?, fallback_plan = ?, fallback_text = ?
		WHERE id = ? AND attempts = ? AND status = 'sending'`,
			string(o.Status), o.Provider, o.ProviderID, failedOver, o.Error, o.Reason, ms(next), sentAt, ms(at),
			o.ProviderCode, flag(o.Truncated), o.FallbackPlan, o.FallbackText, id, attempt)
		if err != nil {
			return dbErr("complete delivery", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrLeaseLost
		}
		return nil
	}
	// The attempt is kept (the timeline, the charts), an outcome a webhook wants gets its
	// outbox rows and a refusal the fallback it creates, all in the transaction that
	// records it on the delivery.
	hooks := s.hooks.wanting(deliveryEvent(o.Status))
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := update(tx); err != nil {
			return err
		}
		fallback := ""
		if o.Refused && o.FallbackPlan != "" {
			var err error
			if fallback, err = s.fallbackNow(ctx, tx, id, o, at); err != nil {
				return err
			}
		}
		if err := s.recordAttempt(ctx, tx, id, attempt, o, fallback, at); err != nil {
			return err
		}
		if len(hooks) > 0 {
			return s.outboxDelivery(ctx, tx, hooks, id, o, at)
		}
		return nil
	})
}

// fallbackNow creates the fallback SMS of delivery id, refused at the call, and records
// on it that it fell back; it returns the plan (sms, lms) when it did, "" when the
// fallback existed already.
func (s *Store) fallbackNow(ctx context.Context, tx *sql.Tx, id int64, o store.Outcome, at time.Time) (string, error) {
	var note int64
	var address string
	if err := tx.QueryRowContext(ctx, `SELECT notification_id, address FROM deliveries WHERE id = ?`, id).Scan(&note, &address); err != nil {
		return "", dbErr("select refused delivery", err)
	}
	fb, err := s.createFallback(ctx, tx, note, address, o.FallbackText, at)
	if err != nil || fb == 0 {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `UPDATE deliveries SET fallback = ? WHERE id = ?`, o.FallbackPlan, id)
	return o.FallbackPlan, dbErr("record fallback", err)
}

// CountSent implements store.Store.
func (s *Store) CountSent(ctx context.Context, channel notify.Channel, address string, since time.Time) (int, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE address = ? AND channel = ? AND (status = 'sending' OR (status = 'sent' AND sent_at >= ?))`,
		address, string(channel), ms(since)).Scan(&n)
	return n, dbErr("count sent", err)
}

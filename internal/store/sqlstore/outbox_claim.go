package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

const outboxColumns = `id, endpoint, event, payload, status, attempts, next_attempt_at, last_error, created_at, delivered_at`

func scanOutbox(r *sql.Rows) (store.OutboxRow, error) {
	var o store.OutboxRow
	var payload string
	var next, created int64
	var delivered *int64
	if err := r.Scan(&o.ID, &o.Endpoint, &o.Event, &payload, &o.Status, &o.Attempts, &next, &o.LastError, &created, &delivered); err != nil {
		return o, err
	}
	o.Payload, o.NextAttemptAt, o.CreatedAt, o.DeliveredAt = []byte(payload), fromMS(next), fromMS(created), fromNullMS(delivered)
	return o, nil
}

// ClaimOutbox implements store.Store, as ClaimDeliveries does for deliveries: a claimed
// row is "sending" until the lease's end, then due again.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]store.OutboxRow, error) {
	var out []store.OutboxRow
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		ids, err := s.claimDue(ctx, tx, "webhook_outbox", "webhooks", "", nil, []string{store.OutboxPending, store.OutboxSending}, now, lease, limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		r, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM webhook_outbox WHERE id IN (`+placeholders(len(ids))+`) ORDER BY id`, anys(ids)...)
		if err != nil {
			return dbErr("select claimed webhooks", err)
		}
		defer r.Close()
		for r.Next() {
			o, err := scanOutbox(r)
			if err != nil {
				return dbErr("scan claimed webhooks", err)
			}
			out = append(out, o)
		}
		return dbErr("select claimed webhooks", r.Err())
	})
	return out, err
}

// CompleteOutbox implements store.Store.
func (s *Store) CompleteOutbox(ctx context.Context, id int64, attempt int, o store.OutboxOutcome) error {
	at := o.At
	if at.IsZero() {
		at = time.Now()
	}
	next := o.NextAttemptAt
	if next.IsZero() {
		next = at
	}
	var delivered *int64
	if o.Status == store.OutboxDelivered {
		v := ms(at)
		delivered = &v
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE webhook_outbox SET status = ?, last_error = COALESCE(NULLIF(?, ''), last_error), next_attempt_at = ?, delivered_at = ?, updated_at = ?
		WHERE id = ? AND attempts = ? AND status = 'sending'`, o.Status, o.Error, ms(next), delivered, ms(at), id, attempt)
	if err != nil {
		return dbErr("complete webhook", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrLeaseLost
	}
	return nil
}

// ListOutbox implements store.Store: oldest first, after AfterID.
func (s *Store) ListOutbox(ctx context.Context, f store.OutboxFilter) ([]store.OutboxRow, error) {
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q, args := `SELECT `+outboxColumns+` FROM webhook_outbox WHERE id > ?`, []any{f.AfterID}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	r, err := s.db.R.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, dbErr("list webhooks", err)
	}
	defer r.Close()
	var out []store.OutboxRow
	for r.Next() {
		o, err := scanOutbox(r)
		if err != nil {
			return nil, dbErr("scan webhooks", err)
		}
		out = append(out, o)
	}
	return out, dbErr("list webhooks", r.Err())
}

// ReplayOutbox implements store.Store. A row being sent right now keeps its lease.
func (s *Store) ReplayOutbox(ctx context.Context, id int64, now time.Time) error {
	res, err := s.db.W.ExecContext(ctx, `UPDATE webhook_outbox SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND status <> 'sending'`, ms(now), ms(now), id)
	if err != nil {
		return dbErr("replay webhook", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	var one int
	if err := s.db.W.QueryRowContext(ctx, `SELECT 1 FROM webhook_outbox WHERE id = ?`, id).Scan(&one); err != nil {
		return dbErr("replay webhook", err) // sql.ErrNoRows → ErrNotFound
	}
	return nil
}

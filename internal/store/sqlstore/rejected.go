package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// SaveRejected implements store.Store.
func (s *Store) SaveRejected(ctx context.Context, rj store.Rejected) (int64, error) {
	created := rj.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	count := max(rj.ReceiveCount, 1)
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if rj.MessageID != "" {
			err := tx.QueryRowContext(ctx, `SELECT id FROM rejected_messages WHERE source = ? AND message_id = ?`+s.d.ForUpdate(), rj.Source, rj.MessageID).Scan(&id)
			if err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE rejected_messages SET receive_count = receive_count + 1, code = ?, reason = ? WHERE id = ?`, rj.Code, rj.Reason, id)
				return dbErr("update rejected", err)
			}
			if err != sql.ErrNoRows {
				return dbErr("select rejected", err)
			}
		}
		var msgID *string
		if rj.MessageID != "" {
			msgID = &rj.MessageID
		}
		const insert = `INSERT INTO rejected_messages (source, queue, message_id, body, code, reason, receive_count, status, event_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?)`
		args := []any{rj.Source, rj.Queue, msgID, rj.Body, rj.Code, rj.Reason, count, store.RejectedPending, ms(created)}
		if s.returning() { // PostgreSQL has no last insert id
			return dbErr("insert rejected", tx.QueryRowContext(ctx, insert+` RETURNING id`, args...).Scan(&id))
		}
		res, err := tx.ExecContext(ctx, insert, args...)
		if err != nil {
			return dbErr("insert rejected", err)
		}
		id, err = res.LastInsertId()
		return dbErr("insert rejected", err)
	})
	return id, err
}

const rejectedCols = `id, source, queue, message_id, body, code, reason, receive_count, status, event_key, created_at, replayed_at`

func scanRejected(sc interface{ Scan(...any) error }) (store.Rejected, error) {
	var rj store.Rejected
	var msgID *string
	var created int64
	var replayed *int64
	err := sc.Scan(&rj.ID, &rj.Source, &rj.Queue, &msgID, &rj.Body, &rj.Code, &rj.Reason, &rj.ReceiveCount, &rj.Status, &rj.EventKey, &created, &replayed)
	if msgID != nil {
		rj.MessageID = *msgID
	}
	rj.CreatedAt, rj.ReplayedAt = fromMS(created), fromNullMS(replayed)
	return rj, err
}

// ListRejected implements store.Store, oldest first.
func (s *Store) ListRejected(ctx context.Context, f store.RejectedFilter) ([]store.Rejected, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q, args := `SELECT `+rejectedCols+` FROM rejected_messages WHERE id > ?`, []any{f.AfterID}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	r, err := s.db.R.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, dbErr("select rejected", err)
	}
	defer r.Close()
	out := []store.Rejected{}
	for r.Next() {
		rj, err := scanRejected(r)
		if err != nil {
			return nil, dbErr("scan rejected", err)
		}
		out = append(out, rj)
	}
	return out, dbErr("select rejected", r.Err())
}

// GetRejected implements store.Store.
func (s *Store) GetRejected(ctx context.Context, id int64) (*store.Rejected, error) {
	rj, err := scanRejected(s.db.R.QueryRowContext(ctx, `SELECT `+rejectedCols+` FROM rejected_messages WHERE id = ?`, id))
	if err != nil {
		return nil, dbErr("select rejected", err)
	}
	return &rj, nil
}

// MarkReplayed implements store.Store.
func (s *Store) MarkReplayed(ctx context.Context, id int64, eventKey string, at time.Time) error {
	res, err := s.db.W.ExecContext(ctx, `UPDATE rejected_messages SET status = ?, event_key = ?, replayed_at = ? WHERE id = ?`, store.RejectedReplayed, eventKey, ms(at), id)
	if err != nil {
		return dbErr("mark replayed", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

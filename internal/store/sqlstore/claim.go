package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// claimDue takes up to limit due rows of table — status in statuses (tried in that
// order), next_attempt_at ≤ now, and the condition extra ("AND channel = ?", with its
// args) — and marks them 'sending' until now+lease, one attempt more. Deliveries and the
// webhook outbox are claimed this way. One query per status, each an equality plus a
// range on the table's (status, …, next_attempt_at) index, so the rows come in index
// order and a claimer locks only the rows it takes, not every due row (which a sort
// would make it read and lock). what names the rows in errors.
func (s *Store) claimDue(ctx context.Context, tx *sql.Tx, table, what, extra string, extraArgs []any, statuses []string, now time.Time, lease time.Duration, limit int) ([]int64, error) {
	var ids []int64
	for _, status := range statuses {
		if len(ids) >= limit {
			break
		}
		args := append(append([]any{status}, extraArgs...), ms(now), limit-len(ids))
		got, err := queryIDs(ctx, tx, `SELECT id FROM `+table+` WHERE status = ? `+extra+` AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`+s.d.SkipLocked(), args...)
		if err != nil {
			return nil, dbErr("select due "+what, err)
		}
		ids = append(ids, got...)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?, updated_at = ? WHERE id IN (`+placeholders(len(ids))+`)`,
		append([]any{ms(now.Add(lease)), ms(now)}, anys(ids)...)...); err != nil {
		return nil, dbErr("claim "+what, err)
	}
	return ids, nil
}

// queryIDs runs query and returns its rows' first column, an id.
func queryIDs(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	var ids []int64
	err := queryEach(ctx, q, query, args, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	})
	return ids, err
}

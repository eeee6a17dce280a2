package sqlstore

import (
	"context"
	"database/sql"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

func (s *Store) queryNotifications(ctx context.Context, query string, args ...any) ([]notify.Notification, error) {
	r, err := s.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, dbErr("select notifications", err)
	}
	defer r.Close()
	var out []notify.Notification
	for r.Next() {
		var n notify.Notification
		if err := scanNotification(r, &n); err != nil {
			return nil, dbErr("scan notifications", err)
		}
		out = append(out, n)
	}
	return out, dbErr("select notifications", r.Err())
}

// ListNotifications implements store.Store.
func (s *Store) ListNotifications(ctx context.Context, userID string, before int64, limit int) ([]notify.Notification, error) {
	if before <= 0 {
		return s.queryNotifications(ctx, `SELECT `+notificationCols+` FROM notifications n JOIN events e ON e.id = n.event_id WHERE n.user_id = ? AND n.replaced_by IS NULL ORDER BY n.seq DESC LIMIT ?`, userID, limit)
	}
	return s.queryNotifications(ctx, `SELECT `+notificationCols+` FROM notifications n JOIN events e ON e.id = n.event_id WHERE n.user_id = ? AND n.replaced_by IS NULL AND n.seq < ? ORDER BY n.seq DESC LIMIT ?`, userID, before, limit)
}

// NotificationsAfter implements store.Store. Replaced notifications are included (with
// ReplacedBy set): replay needs every seq to tell a replaced one from one not yet
// committed, and skips sending them itself.
func (s *Store) NotificationsAfter(ctx context.Context, userID string, after int64, limit int) ([]notify.Notification, error) {
	return s.queryNotifications(ctx, `SELECT `+notificationCols+` FROM notifications n JOIN events e ON e.id = n.event_id WHERE n.user_id = ? AND n.seq > ? ORDER BY n.seq LIMIT ?`, userID, after, limit)
}

// LastSeqs implements store.Store.
func (s *Store) LastSeqs(ctx context.Context, userIDs []string) (map[string]int64, error) {
	out := make(map[string]int64, len(userIDs))
	err := chunks(len(userIDs), maxRowsPerInsert, func(lo, hi int) error {
		r, err := s.db.R.QueryContext(ctx, `SELECT user_id, last_seq FROM recipients WHERE user_id IN (`+placeholders(hi-lo)+`)`, anys(userIDs[lo:hi])...)
		if err != nil {
			return dbErr("select sequences", err)
		}
		defer r.Close()
		for r.Next() {
			var u string
			var seq int64
			if err := r.Scan(&u, &seq); err != nil {
				return dbErr("scan sequences", err)
			}
			if seq > 0 {
				out[u] = seq
			}
		}
		return dbErr("select sequences", r.Err())
	})
	return out, err
}

// UnreadCount implements store.Store.
func (s *Store) UnreadCount(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND replaced_by IS NULL AND read_at IS NULL`, userID).Scan(&n)
	return n, dbErr("count unread", err)
}

// MarkRead implements store.Store. Marking a notification that is already read is not an
// error; one that is not the caller's is ErrNotFound, exactly as one that does not exist.
// In the same transaction its escalated deliveries still waiting are recorded skipped
// (read_before_escalation): a worker on any replica claims only rows still scheduled.
func (s *Store) MarkRead(ctx context.Context, userID string, id int64, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`, ms(at), id, userID)
		if err != nil {
			return dbErr("mark read", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'skipped', reason = ?, updated_at = ? WHERE notification_id = ? AND status = 'scheduled' AND unless_read = 1`,
				prefs.ReasonReadInTime, ms(at), id)
			if err != nil {
				return dbErr("skip escalations", err)
			}
			return s.outboxReads(ctx, tx, userID, `user_id = ? AND id = ?`, []any{userID, id}, at) // notification.read webhooks
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM notifications WHERE id = ? AND user_id = ?`, id, userID).Scan(&one)
		if err == sql.ErrNoRows {
			return store.ErrNotFound
		}
		return dbErr("mark read", err)
	})
}

// MarkAllRead implements store.Store, skipping the escalations of what it marks read in
// the same transaction (as MarkRead).
func (s *Store) MarkAllRead(ctx context.Context, userID string, at time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// notification.read webhooks for what is about to be marked, read before the update.
		if err := s.outboxReads(ctx, tx, userID, `user_id = ? AND read_at IS NULL`, []any{userID}, at); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'skipped', reason = ?, updated_at = ?
			WHERE status = 'scheduled' AND unless_read = 1 AND notification_id IN (SELECT id FROM notifications WHERE user_id = ? AND read_at IS NULL)`,
			prefs.ReasonReadInTime, ms(at), userID); err != nil {
			return dbErr("skip escalations", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, ms(at), userID)
		if err != nil {
			return dbErr("mark all read", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

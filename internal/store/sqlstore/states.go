package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
	"github.com/notifyd/notifyd/internal/store"
)

// ListInbox implements store.Store. Every filter maps onto an index that starts with
// user_id and ends with seq (see migration 00003), so a page is one short index walk.
func (s *Store) ListInbox(ctx context.Context, userID string, f store.InboxFilter) ([]notify.Notification, error) {
	where := []string{"n.user_id = ?", "n.replaced_by IS NULL"}
	args := []any{userID}
	switch f.Status {
	case "", store.InboxAll:
	case store.InboxUnread:
		where = append(where, "n.read_at IS NULL")
	case store.InboxRead:
		where = append(where, "n.read_at IS NOT NULL")
	default:
		return nil, fmt.Errorf("store: unknown inbox status %q", f.Status)
	}
	switch f.Archived {
	case "", store.ArchivedExclude:
		where = append(where, "n.archived_at IS NULL")
	case store.ArchivedInclude:
	case store.ArchivedOnly:
		where = append(where, "n.archived_at IS NOT NULL")
	default:
		return nil, fmt.Errorf("store: unknown archived filter %q", f.Archived)
	}
	if f.Type != "" {
		where = append(where, "n.type = ?")
		args = append(args, f.Type)
	}
	if f.Before > 0 {
		where = append(where, "n.seq < ?")
		args = append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	args = append(args, limit)
	// The page's ids come from notifications alone, then the rows are joined: with the join
	// in the same query MariaDB walks a deep cursor's page from the user's newest row.
	return s.queryNotifications(ctx, `SELECT `+notificationCols+` FROM (SELECT n.id FROM notifications n`+s.pageIndex(f)+` WHERE `+
		strings.Join(where, " AND ")+` ORDER BY n.seq DESC LIMIT ?) page JOIN notifications n ON n.id = page.id JOIN events e ON e.id = n.event_id ORDER BY n.seq DESC`, args...)
}

// pageIndex is the index hint for ListInbox's filter: the index whose every key part before
// seq is fixed by the filter, so the page is one range ending at the cursor. Filters with
// no such index (read, archived only, unread with archived included) get none.
func (s *Store) pageIndex(f store.InboxFilter) string {
	excluded := f.Archived == "" || f.Archived == store.ArchivedExclude
	all := f.Status == "" || f.Status == store.InboxAll
	switch {
	case f.Type != "":
		return s.d.UseIndex("notifications_type")
	case excluded && all:
		return s.d.UseIndex("notifications_archived")
	case excluded && f.Status == store.InboxUnread:
		return s.d.UseIndex("notifications_unread")
	case f.Archived == store.ArchivedInclude && all:
		return s.d.UseIndex("notifications_visible")
	}
	return ""
}

// InboxCounts implements store.Store.
func (s *Store) InboxCounts(ctx context.Context, userID string) (store.InboxCounts, error) {
	var c store.InboxCounts
	err := s.db.R.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL AND archived_at IS NULL AND replaced_by IS NULL),
		(SELECT COUNT(*) FROM notifications WHERE user_id = ? AND seen_at IS NULL AND archived_at IS NULL AND replaced_by IS NULL)`, userID, userID).Scan(&c.Unread, &c.Unseen)
	return c, dbErr("count inbox", err)
}

// MarkReadUpTo implements store.Store, skipping the escalations of what it marks read in
// the same transaction (as MarkRead and MarkAllRead).
func (s *Store) MarkReadUpTo(ctx context.Context, userID, typ string, upToSeq int64, at time.Time) (int64, error) {
	which := `user_id = ? AND read_at IS NULL AND seq <= ?`
	args := []any{userID, upToSeq}
	if typ != "" {
		which += ` AND type = ?`
		args = append(args, typ)
	}
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// notification.read webhooks for what is about to be marked, read before the update.
		if err := s.outboxReads(ctx, tx, userID, which, args, at); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'skipped', reason = ?, updated_at = ?
			WHERE status = 'scheduled' AND unless_read = 1 AND notification_id IN (SELECT id FROM notifications WHERE `+which+`)`,
			append([]any{prefs.ReasonReadInTime, ms(at)}, args...)...); err != nil {
			return dbErr("skip escalations", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE `+which, append([]any{ms(at)}, args...)...)
		if err != nil {
			return dbErr("mark read", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// MarkSeenUpTo implements store.Store.
func (s *Store) MarkSeenUpTo(ctx context.Context, userID string, upToSeq int64, at time.Time) (int64, error) {
	return s.execCount(ctx, "mark seen", `UPDATE notifications SET seen_at = ? WHERE user_id = ? AND seen_at IS NULL AND seq <= ?`, ms(at), userID, upToSeq)
}

// SetArchived implements store.Store.
func (s *Store) SetArchived(ctx context.Context, userID string, id int64, at *time.Time) error {
	q, args := `UPDATE notifications SET archived_at = NULL WHERE id = ? AND user_id = ? AND archived_at IS NOT NULL`, []any{id, userID}
	if at != nil {
		q, args = `UPDATE notifications SET archived_at = ? WHERE id = ? AND user_id = ? AND archived_at IS NULL`, []any{ms(*at), id, userID}
	}
	n, err := s.execCount(ctx, "archive", q, args...)
	if err != nil || n > 0 {
		return err
	}
	var one int
	err = s.db.W.QueryRowContext(ctx, `SELECT 1 FROM notifications WHERE id = ? AND user_id = ?`, id, userID).Scan(&one)
	if err == sql.ErrNoRows {
		return store.ErrNotFound
	}
	return dbErr("archive", err)
}

func (s *Store) execCount(ctx context.Context, what, q string, args ...any) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, dbErr(what, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// stillToGo are the delivery statuses that keep a notification from being purged.
var stillToGo = []any{string(notify.StatusPending), string(notify.StatusScheduled), string(notify.StatusSending)}

// purgeable is the condition on notifications n of one type (first argument) created
// before a time (second) none of whose deliveries is still to go (the stillToGo statuses
// follow). It is a range of notifications_age, which ends at the cutoff.
const purgeable = `n.type = ? AND n.created_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d
	WHERE d.notification_id = n.id AND d.status IN (?,?,?))`

func purgeArgs(typ string, before time.Time) []any {
	return append([]any{typ, ms(before)}, stillToGo...)
}

// StoredTypes implements store.Store: a loose scan of notifications_age, one index probe
// per type, instead of reading every row as SELECT DISTINCT can.
func (s *Store) StoredTypes(ctx context.Context) ([]string, error) {
	return s.typesIn(ctx, "notifications")
}

// typesIn lists the distinct types in table (notifications or events, each with an index
// led by type) by a loose index scan: one query per type, each the next type after the
// last, which every engine answers with one index seek. (A recursive CTE doing the same in
// one statement scanned the whole index on MariaDB for each type: at ten million rows it
// ran past the read timeout and no purge could start.)
func (s *Store) typesIn(ctx context.Context, table string) ([]string, error) {
	var types []string
	next := `SELECT type FROM ` + table + ` WHERE type > ? ORDER BY type LIMIT 1`
	last := ""
	for {
		var t string
		err := s.db.R.QueryRowContext(ctx, next, last).Scan(&t)
		if errors.Is(err, sql.ErrNoRows) {
			return types, nil
		}
		if err != nil {
			return nil, dbErr(table+" types", err)
		}
		types = append(types, t)
		last = t
	}
}

// PurgeNotifications implements store.Store: children first (deliveries, the scheduled
// rows released into the notifications), then the notifications, in one transaction.
func (s *Store) PurgeNotifications(ctx context.Context, typ string, before time.Time, limit int) (store.Purged, error) {
	var p store.Purged
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		p = store.Purged{}
		ids, err := queryIDs(ctx, tx, `SELECT n.id FROM notifications n`+s.d.UseIndex("notifications_age")+` WHERE `+purgeable+`
			ORDER BY n.created_at, n.id LIMIT ?`, append(purgeArgs(typ, before), limit)...)
		if err != nil {
			return dbErr("select purgeable notifications", err)
		}
		return chunks(len(ids), maxRowsPerInsert, func(lo, hi int) error {
			in, args := placeholders(hi-lo), anys(ids[lo:hi])
			for _, step := range []struct {
				what, query string
				n           *int64
			}{
				{"deliveries", `DELETE FROM deliveries WHERE notification_id IN (` + in + `)`, &p.Deliveries},
				{"scheduled", `DELETE FROM scheduled_notifications WHERE notification_id IN (` + in + `)`, &p.Scheduled},
				{"notifications", `DELETE FROM notifications WHERE id IN (` + in + `)`, &p.Notifications},
			} {
				res, err := tx.ExecContext(ctx, step.query, args...)
				if err != nil {
					return dbErr("purge "+step.what, err)
				}
				n, _ := res.RowsAffected()
				*step.n += n
			}
			return nil
		})
	})
	return p, err
}

// PurgeOutbox implements store.Store.
func (s *Store) PurgeOutbox(ctx context.Context, before time.Time, limit int) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		ids, err := deliveredOutbox(ctx, tx, before, limit)
		if err != nil {
			return err
		}
		return chunks(len(ids), maxRowsPerInsert, func(lo, hi int) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM webhook_outbox WHERE id IN (`+placeholders(hi-lo)+`)`, anys(ids[lo:hi])...)
			if err != nil {
				return dbErr("purge outbox", err)
			}
			k, _ := res.RowsAffected()
			n += k
			return nil
		})
	})
	return n, err
}

// deliveredOutbox returns up to limit ids of delivered outbox rows created before
// before. It walks the primary key from the oldest row and stops at the first row created
// after the cutoff: rows are written in time order, so an index on the status would only
// add a B-tree to every webhook written. The rows it passes over and keeps (still to send,
// or failed and replayable) are few.
func deliveredOutbox(ctx context.Context, q queryer, before time.Time, limit int) ([]int64, error) {
	const page = 1000
	var ids []int64
	after, cutoff := int64(0), ms(before)
	for len(ids) < limit {
		rows, done := 0, false
		err := queryEach(ctx, q, `SELECT id, status, created_at FROM webhook_outbox WHERE id > ? ORDER BY id LIMIT ?`,
			[]any{after, page}, func(r *sql.Rows) error {
				var id, created int64
				var status string
				if err := r.Scan(&id, &status, &created); err != nil {
					return err
				}
				rows, after = rows+1, id
				switch {
				case done || created >= cutoff:
					done = true
				case status == store.OutboxDelivered && len(ids) < limit:
					ids = append(ids, id)
				}
				return nil
			})
		if err != nil {
			return nil, dbErr("select purgeable outbox", err)
		}
		if done || rows < page {
			break
		}
	}
	return ids, nil
}

// CountPurgeable implements store.Store.
func (s *Store) CountPurgeable(ctx context.Context, c store.PurgeCutoffs) (store.Purged, error) {
	var p store.Purged
	for typ, before := range c.Types {
		args := purgeArgs(typ, before)
		for _, q := range []struct {
			query string
			n     *int64
		}{
			{`SELECT COUNT(*) FROM notifications n WHERE ` + purgeable, &p.Notifications},
			{`SELECT COUNT(*) FROM notifications n JOIN deliveries x ON x.notification_id = n.id WHERE ` + purgeable, &p.Deliveries},
			{`SELECT COUNT(*) FROM notifications n JOIN scheduled_notifications x ON x.notification_id = n.id WHERE ` + purgeable, &p.Scheduled},
		} {
			var n int64
			if err := s.db.R.QueryRowContext(ctx, q.query, args...).Scan(&n); err != nil {
				return p, dbErr("count purgeable", err)
			}
			*q.n += n
		}
	}
	n, err := s.countUnneededEvents(ctx, c.Events)
	if err != nil {
		return p, err
	}
	p.Events = n
	if !c.Outbox.IsZero() {
		ids, err := deliveredOutbox(ctx, s.db.R, c.Outbox, int(^uint(0)>>1))
		if err != nil {
			return p, err
		}
		p.Outbox = int64(len(ids))
	}
	return p, nil
}

// OldestNotification implements store.Store.
func (s *Store) OldestNotification(ctx context.Context) (time.Time, bool, error) {
	var created int64
	err := s.db.R.QueryRowContext(ctx, `SELECT created_at FROM notifications ORDER BY id LIMIT 1`).Scan(&created)
	if err == sql.ErrNoRows {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, dbErr("oldest notification", err)
	}
	return fromMS(created), true, nil
}

// TakeLease implements store.Store. The holder is read back rather than taken from the
// rows affected, which MySQL reports as 0 for an update that changed nothing.
func (s *Store) TakeLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	var got bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		until := ms(now.Add(ttl))
		if _, err := tx.ExecContext(ctx, `UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at < ?)`,
			holder, until, name, holder, ms(now)); err != nil {
			return dbErr("renew lease", err)
		}
		if _, err := tx.ExecContext(ctx, s.d.InsertIgnore()+` leases (name, holder, expires_at) VALUES (?, ?, ?)`+s.d.IgnoreConflicts("name"),
			name, holder, until); err != nil {
			return dbErr("take lease", err)
		}
		var h string
		if err := tx.QueryRowContext(ctx, `SELECT holder FROM leases WHERE name = ?`, name).Scan(&h); err != nil {
			return dbErr("read lease", err)
		}
		got = h == holder
		return nil
	})
	return got, err
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
	return dbErr("release lease", err)
}

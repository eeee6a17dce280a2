package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/fault"
	"github.com/notifyd/notifyd/internal/store"
)

// ReleaseDue implements store.Store. The transaction is the claim: the rows it releases
// are locked from the select to the commit (SKIP LOCKED lets another releaser take other
// rows meanwhile), so a release is all or nothing and a crash mid-release repeats
// nothing: the rows are simply due again.
func (s *Store) ReleaseDue(ctx context.Context, now time.Time, limit int, d store.Decide) ([]notify.Notification, bool, error) {
	var out []notify.Notification
	var more bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out, more = nil, false
		notes, ids, err := s.dueScheduled(ctx, tx, now, limit)
		if err != nil {
			return err
		}
		more = len(ids) == limit
		digests, err := s.dueDigests(ctx, tx, now, limit-len(ids))
		if err != nil {
			return err
		}
		more = more || (len(ids) < limit && len(digests) == limit-len(ids))
		var closed []closedDigest
		for _, d := range digests {
			c, err := s.closeDigest(ctx, tx, d, now)
			if err != nil {
				return err
			}
			if c.note != nil {
				notes = append(notes, *c.note)
			}
			closed = append(closed, c)
		}
		if len(notes) == 0 && len(closed) == 0 {
			return nil
		}
		for k := range notes {
			notes[k].rules, notes[k].defaults = d.RulesOf(notes[k].typ), d.Defaults
		}
		if out, err = s.writeNotes(ctx, tx, notes, now); err != nil {
			return err
		}
		fault.Hit("schedule.release")
		if err := s.markReleased(ctx, tx, ids, out[:len(ids)], now); err != nil {
			return err
		}
		k := len(ids)
		for _, c := range closed {
			var noteID int64
			if c.note != nil {
				noteID = out[k].ID
				k++
			}
			if err := s.markDigest(ctx, tx, c, noteID, now); err != nil {
				return err
			}
		}
		if len(closed) > 0 {
			fault.Hit("schedule.digest-close")
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, more, nil
}

// dueScheduled locks up to limit due pending rows and returns their notes and row ids.
func (s *Store) dueScheduled(ctx context.Context, tx *sql.Tx, now time.Time, limit int) ([]newNote, []int64, error) {
	if limit <= 0 {
		return nil, nil, nil
	}
	// No join: a locking read over a join would lock the events rows too.
	r, err := tx.QueryContext(ctx, `SELECT id, event_id, user_id, role, channels, phone, type, message, url, collapse_key
		FROM scheduled_notifications WHERE status = ? AND due_at <= ? ORDER BY due_at, id LIMIT ?`+s.d.SkipLocked(), store.PendingWaiting, ms(now), limit)
	if err != nil {
		return nil, nil, dbErr("select due", err)
	}
	defer r.Close()
	var notes []newNote
	var ids []int64
	for r.Next() {
		var id int64
		var n newNote
		var channels string
		var collapse *string
		if err := r.Scan(&id, &n.eventID, &n.target.UserID, &n.target.Role, &channels, &n.target.Phone, &n.typ, &n.message, &n.url, &collapse); err != nil {
			return nil, nil, dbErr("scan due", err)
		}
		n.target.Channels = splitChannels(channels)
		if collapse != nil {
			n.collapseKey = *collapse
		}
		notes = append(notes, n)
		ids = append(ids, id)
	}
	if err := r.Err(); err != nil {
		return nil, nil, dbErr("select due", err)
	}
	r.Close()
	eventIDs := make([]int64, len(notes))
	for k, n := range notes {
		eventIDs[k] = n.eventID
	}
	keys, err := s.eventKeys(ctx, tx, eventIDs)
	if err != nil {
		return nil, nil, err
	}
	for k := range notes {
		notes[k].eventKey = keys[k]
	}
	return notes, ids, nil
}

// markReleased records each released row's notification. The CASE's ELSE (never taken:
// every row it updates has its WHEN) gives it the column's type, so PostgreSQL types the
// THEN parameters as BIGINT rather than as text.
func (s *Store) markReleased(ctx context.Context, tx *sql.Tx, ids []int64, out []notify.Notification, now time.Time) error {
	return chunks(len(ids), maxRowsPerInsert, func(lo, hi int) error {
		var cases []byte
		args := make([]any, 0, (hi-lo)*3+2)
		for k := lo; k < hi; k++ {
			cases = append(cases, " WHEN ? THEN ?"...)
			args = append(args, ids[k], out[k].ID)
		}
		args = append(args, store.PendingReleased, ms(now))
		args = append(args, anys(ids[lo:hi])...)
		_, err := tx.ExecContext(ctx, `UPDATE scheduled_notifications SET notification_id = CASE id`+string(cases)+` ELSE notification_id END, status = ?, updated_at = ? WHERE id IN (`+placeholders(hi-lo)+`)`, args...)
		return dbErr("mark released", err)
	})
}

type dueDigest struct {
	id, eventID                           int64
	user, role, channels, phone, typ, url string
	message                               string
	data                                  *string
}

// dueDigests locks up to limit open windows that are due.
func (s *Store) dueDigests(ctx context.Context, tx *sql.Tx, now time.Time, limit int) ([]dueDigest, error) {
	if limit <= 0 {
		return nil, nil
	}
	r, err := tx.QueryContext(ctx, `SELECT id, event_id, user_id, role, channels, phone, type, url, message, data FROM digests
		WHERE status = 'open' AND due_at <= ? ORDER BY due_at, id LIMIT ?`+s.d.SkipLocked(), ms(now), limit)
	if err != nil {
		return nil, dbErr("select due digests", err)
	}
	defer r.Close()
	var out []dueDigest
	for r.Next() {
		var d dueDigest
		if err := r.Scan(&d.id, &d.eventID, &d.user, &d.role, &d.channels, &d.phone, &d.typ, &d.url, &d.message, &d.data); err != nil {
			return nil, dbErr("scan due digests", err)
		}
		out = append(out, d)
	}
	return out, dbErr("select due digests", r.Err())
}

type closedDigest struct {
	id      int64
	members []int64
	note    *newNote // nil: every member was cancelled
}

// closeDigest locks a due window's members and builds its one notification: the message
// rendered over their count, data {"count","eventIds"}.
func (s *Store) closeDigest(ctx context.Context, tx *sql.Tx, d dueDigest, now time.Time) (closedDigest, error) {
	c := closedDigest{id: d.id}
	r, err := tx.QueryContext(ctx, `SELECT id, event_id FROM scheduled_notifications WHERE digest_id = ? AND status = ? ORDER BY id`+s.d.ForUpdate(), d.id, store.PendingDigested)
	if err != nil {
		return c, dbErr("select digest members", err)
	}
	var eventIDs []int64
	for r.Next() {
		var id, eid int64
		if err := r.Scan(&id, &eid); err != nil {
			r.Close()
			return c, dbErr("scan digest members", err)
		}
		c.members = append(c.members, id)
		eventIDs = append(eventIDs, eid)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return c, dbErr("select digest members", err)
	}
	if len(c.members) == 0 {
		return c, nil
	}
	keys, err := s.eventKeys(ctx, tx, eventIDs)
	if err != nil {
		return c, err
	}
	var data []byte
	if d.data != nil {
		data = []byte(*d.data)
	}
	msg, err := notify.RenderDigest(d.message, len(keys), data)
	if err != nil || msg == "" {
		msg = d.message // a template that cannot render still yields one notification
	}
	extra, _ := json.Marshal(struct {
		Count    int      `json:"count"`
		EventIDs []string `json:"eventIds"`
	}{len(keys), keys})
	firstKey := keys[0]
	c.note = &newNote{eventID: eventIDs[0], eventKey: firstKey, typ: d.typ, message: msg, url: d.url, data: extra,
		target: notify.Target{Recipient: notify.Recipient{UserID: d.user, Role: notify.Role(d.role), Phone: d.phone}, Channels: splitChannels(d.channels)}}
	return c, nil
}

// markDigest closes a window: released with its notification, or cancelled when every
// member was cancelled. Its open_key is cleared, so the next event opens a new window.
func (s *Store) markDigest(ctx context.Context, tx *sql.Tx, c closedDigest, noteID int64, now time.Time) error {
	status, note := store.PendingCancelled, any(nil)
	if c.note != nil {
		status, note = store.PendingReleased, noteID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE digests SET open_key = NULL, status = ?, notification_id = ?, updated_at = ? WHERE id = ?`, status, note, ms(now), c.id); err != nil {
		return dbErr("close digest", err)
	}
	if len(c.members) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE scheduled_notifications SET status = ?, notification_id = ?, updated_at = ? WHERE id IN (`+placeholders(len(c.members))+`)`,
		append([]any{store.PendingReleased, noteID, ms(now)}, anys(c.members)...)...)
	return dbErr("release digest members", err)
}

// eventKeys returns the idempotency keys of ids, in ids order.
func (s *Store) eventKeys(ctx context.Context, tx *sql.Tx, ids []int64) ([]string, error) {
	byID := make(map[int64]string, len(ids))
	err := chunks(len(ids), maxRowsPerInsert, func(lo, hi int) error {
		r, err := tx.QueryContext(ctx, `SELECT id, idem_key FROM events WHERE id IN (`+placeholders(hi-lo)+`)`, anys(ids[lo:hi])...)
		if err != nil {
			return dbErr("select event keys", err)
		}
		defer r.Close()
		for r.Next() {
			var id int64
			var key string
			if err := r.Scan(&id, &key); err != nil {
				return dbErr("scan event keys", err)
			}
			byID[id] = key
		}
		return dbErr("select event keys", r.Err())
	})
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

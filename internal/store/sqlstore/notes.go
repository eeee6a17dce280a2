package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
)

// newNote is one notification to write inside a transaction: from Accept (visible at
// once) or from the releaser (a scheduled notification or a digest that came due).
type newNote struct {
	eventID     int64
	eventKey    string
	target      notify.Target
	typ         string
	message     string
	url         string
	collapseKey string
	data        []byte // nil: none
	seq         int64  // assigned by writeNotes
	// rules and defaults decide the deliveries (internal/prefs).
	rules    prefs.Rules
	defaults prefs.Defaults
}

// writeNotes writes notes in the caller's transaction: it takes each user's next
// sequence numbers (locking their recipients rows), inserts the notifications, lets each
// one with a collapse key replace the user's older one, and inserts one delivery per
// queued channel. It returns the stored notifications in notes order.
func (s *Store) writeNotes(ctx context.Context, tx *sql.Tx, notes []newNote, now time.Time) ([]notify.Notification, error) {
	count := map[string]int64{}
	for _, n := range notes {
		count[n.target.UserID]++
	}
	users := make([]string, 0, len(count))
	for u := range count {
		users = append(users, u)
	}
	slices.Sort(users) // one lock order for every transaction: no deadlock between writers
	last, err := s.lockSeqs(ctx, tx, users)
	if err != nil {
		return nil, err
	}
	for k := range notes {
		u := notes[k].target.UserID
		last[u]++
		notes[k].seq = last[u]
	}
	if err := chunks(len(users), maxRowsPerInsert, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*2)
		for _, u := range users[lo:hi] {
			args = append(args, u, last[u])
		}
		_, err := s.exec(ctx, tx, `INSERT INTO recipients (user_id, last_seq) VALUES `+rowsOf(hi-lo, 2)+s.d.UpsertSeq(), args...)
		return dbErr("update sequences", err)
	}); err != nil {
		return nil, err
	}

	created := ms(now)
	out := make([]notify.Notification, len(notes))
	for k, n := range notes {
		out[k] = notify.Notification{UserID: n.target.UserID, Seq: n.seq, EventID: n.eventKey, Type: n.typ, Message: n.message, URL: n.url, CreatedAt: fromMS(created), Data: n.data}
	}
	if err := s.insertNotes(ctx, tx, notes, created, out); err != nil {
		return nil, err
	}
	if err := s.insertDeliveries(ctx, tx, notes, out, now); err != nil {
		return nil, err
	}
	// After the deliveries: a note replaced by a later one of the same batch has its own
	// deliveries to cancel.
	if err := s.collapse(ctx, tx, notes, out, now); err != nil {
		return nil, err
	}
	return out, nil
}

const noteInsert = `INSERT INTO notifications (event_id, user_id, seq, role, type, message, url, collapse_key, data, created_at) VALUES `

func noteArgs(notes []newNote, created int64) []any {
	args := make([]any, 0, len(notes)*10)
	for _, n := range notes {
		args = append(args, n.eventID, n.target.UserID, n.seq, string(n.target.Role), n.typ, n.message, n.url, nullString(n.collapseKey), nullBytes(n.data), created)
	}
	return args
}

// insertNotes inserts notes and sets each out[k].ID.
func (s *Store) insertNotes(ctx context.Context, tx *sql.Tx, notes []newNote, created int64, out []notify.Notification) error {
	type userSeq struct {
		user string
		seq  int64
	}
	at := make(map[userSeq]int, len(notes))
	for k, n := range notes {
		at[userSeq{n.target.UserID, n.seq}] = k
	}
	scan := func(r *sql.Rows) error {
		defer r.Close()
		for r.Next() {
			var id int64
			var k userSeq
			if err := r.Scan(&id, &k.user, &k.seq); err != nil {
				return dbErr("insert notifications", err)
			}
			if i, ok := at[k]; ok {
				out[i].ID = id
			}
		}
		return dbErr("insert notifications", r.Err())
	}
	if s.returning() {
		return chunks(len(notes), maxRowsPerInsert, func(lo, hi int) error {
			r, err := s.query(ctx, tx, noteInsert+rowsOf(hi-lo, 10)+` RETURNING id, user_id, seq`, noteArgs(notes[lo:hi], created)...)
			if err != nil {
				return dbErr("insert notifications", err)
			}
			return scan(r)
		})
	}
	if err := chunks(len(notes), maxRowsPerInsert, func(lo, hi int) error {
		_, err := s.exec(ctx, tx, noteInsert+rowsOf(hi-lo, 10), noteArgs(notes[lo:hi], created)...)
		return dbErr("insert notifications", err)
	}); err != nil {
		return err
	}
	// Read the ids back by the events the notes belong to (an event has one notification
	// per recipient, so this reads little more than what was just written).
	var eventIDs []int64
	seen := map[int64]bool{}
	for _, n := range notes {
		if !seen[n.eventID] {
			seen[n.eventID] = true
			eventIDs = append(eventIDs, n.eventID)
		}
	}
	return chunks(len(eventIDs), maxRowsPerInsert, func(lo, hi int) error {
		r, err := s.query(ctx, tx, `SELECT id, user_id, seq FROM notifications WHERE event_id IN (`+placeholders(hi-lo)+`)`, anys(eventIDs[lo:hi])...)
		if err != nil {
			return dbErr("select notifications", err)
		}
		return scan(r)
	})
}

// The statements of collapse, exported for the backends' query-plan tests. Both write
// "+seq" so that no index can serve the seq range: SQLite (which has no statistics here)
// would otherwise walk the user's visible notifications through notifications_visible
// (user_id, replaced_by, seq), reading every row for its key, and never use
// notifications_collapse, which holds only notifications with a key (a partial index in
// SQLite and PostgreSQL) and finds the one to replace in one seek.
const (
	CollapseSelect = `SELECT id FROM notifications WHERE user_id = ? AND collapse_key = ? AND replaced_by IS NULL AND +seq < ? ORDER BY +seq DESC LIMIT 1`
	CollapseUpdate = `UPDATE notifications SET replaced_by = ? WHERE user_id = ? AND collapse_key = ? AND replaced_by IS NULL AND +seq < ?`
)

// collapse lets each new note with a collapse key replace the user's newest visible
// notification with that key. Notes are in seq order per user, so a batch carrying two
// notes of one key chains them: the second replaces the first. What the replaced ones
// have not sent yet (pending or waiting deliveries) is cancelled with reason "replaced";
// a delivery being sent right now goes out.
func (s *Store) collapse(ctx context.Context, tx *sql.Tx, notes []newNote, out []notify.Notification, now time.Time) error {
	for k, n := range notes {
		if n.collapseKey == "" {
			continue
		}
		var old int64
		err := tx.QueryRowContext(ctx, CollapseSelect, n.target.UserID, n.collapseKey, n.seq).Scan(&old)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return dbErr("select collapsed", err)
		}
		if _, err := s.exec(ctx, tx, CollapseUpdate, out[k].ID, n.target.UserID, n.collapseKey, n.seq); err != nil {
			return dbErr("collapse", err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE notifications SET replaces = ? WHERE id = ?`, old, out[k].ID); err != nil {
			return dbErr("collapse", err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE deliveries SET status = ?, reason = ?, updated_at = ? WHERE status IN (?, ?) AND notification_id IN
			(SELECT id FROM notifications WHERE user_id = ? AND collapse_key = ? AND replaced_by = ?)`,
			string(notify.StatusCancelled), notify.ReasonReplaced, ms(now), string(notify.StatusPending), string(notify.StatusScheduled),
			n.target.UserID, n.collapseKey, out[k].ID); err != nil {
			return dbErr("cancel replaced deliveries", err)
		}
		out[k].Replaces = old
	}
	return nil
}

// lockSeqs makes sure every user has a recipients row, locks those rows (where the
// database has concurrent writers) and returns their last sequence numbers. Existing rows
// are locked first, exclusively, in user order; only users seen for the first time are
// inserted and then locked. (Inserting first would take a shared lock on each existing
// row, and two acceptors upgrading shared locks on a busy user's row deadlock.)
func (s *Store) lockSeqs(ctx context.Context, tx *sql.Tx, users []string) (map[string]int64, error) {
	last, err := s.selectSeqs(ctx, tx, users)
	if err != nil || len(last) == len(users) {
		return last, err
	}
	var missing []string
	for _, u := range users {
		if _, ok := last[u]; !ok {
			missing = append(missing, u)
		}
	}
	if err := chunks(len(missing), maxRowsPerInsert, func(lo, hi int) error {
		args := make([]any, 0, (hi-lo)*2)
		for _, u := range missing[lo:hi] {
			args = append(args, u, 0)
		}
		_, err := s.exec(ctx, tx, s.d.InsertIgnore()+` recipients (user_id, last_seq) VALUES `+rowsOf(hi-lo, 2)+s.d.IgnoreConflicts("user_id"), args...)
		return dbErr("insert recipients", err)
	}); err != nil {
		return nil, err
	}
	added, err := s.selectSeqs(ctx, tx, missing)
	if err != nil {
		return nil, err
	}
	for u, seq := range added {
		last[u] = seq
	}
	return last, nil
}

// selectSeqs locks and reads the recipients rows of users that exist.
func (s *Store) selectSeqs(ctx context.Context, tx *sql.Tx, users []string) (map[string]int64, error) {
	last := make(map[string]int64, len(users))
	err := chunks(len(users), maxRowsPerInsert, func(lo, hi int) error {
		r, err := s.query(ctx, tx, `SELECT user_id, last_seq FROM recipients WHERE user_id IN (`+placeholders(hi-lo)+`) ORDER BY user_id`+s.d.ForUpdate(), anys(users[lo:hi])...)
		if err != nil {
			return dbErr("lock recipients", err)
		}
		defer r.Close()
		for r.Next() {
			var u string
			var seq int64
			if err := r.Scan(&u, &seq); err != nil {
				return dbErr("scan recipients", err)
			}
			last[u] = seq
		}
		return dbErr("lock recipients", r.Err())
	})
	return last, err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

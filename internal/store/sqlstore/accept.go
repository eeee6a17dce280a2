package sqlstore

import (
	"context"
	"database/sql"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Accept implements store.Store. One transaction does, for the whole batch and in a fixed
// number of multi-row statements: insert the events that are new (by key), bump the
// recipients' sequences, insert notifications, insert deliveries. It is a foreground
// transaction: a fan-out page waits for it (turns.go).
func (s *Store) Accept(ctx context.Context, in []store.AcceptInput) ([]store.AcceptResult, error) {
	defer s.turns.foreground()()
	var results []store.AcceptResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		results, err = s.accept(ctx, tx, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

type eventRow struct {
	id    int64
	hash  string
	token string
}

func (s *Store) accept(ctx context.Context, tx *sql.Tx, in []store.AcceptInput) ([]store.AcceptResult, error) {
	results := make([]store.AcceptResult, len(in))
	// The first input of each key stands for the batch; later ones mirror it.
	first := make(map[string]int, len(in))
	var uniq []int
	for i, a := range in {
		results[i].Key = a.Key
		if j, ok := first[a.Key]; ok {
			if in[j].PayloadHash != a.PayloadHash {
				results[i].Err = conflict(a.Key)
			}
			continue
		}
		first[a.Key] = i
		uniq = append(uniq, i)
	}

	token := newToken()
	now := time.Now()
	rows := make(map[string]eventRow, len(uniq))
	if s.returning() {
		if err := s.insertEventsReturning(ctx, tx, in, uniq, token, now, rows); err != nil {
			return nil, err
		}
		// Keys the insert skipped are stored already: read those back.
		var known []int
		for _, i := range uniq {
			if _, ok := rows[in[i].Key]; !ok {
				known = append(known, i)
			}
		}
		if err := s.selectEvents(ctx, tx, in, known, rows); err != nil {
			return nil, err
		}
	} else {
		if err := chunks(len(uniq), maxRowsPerInsert, func(lo, hi int) error {
			args, err := eventArgs(in, uniq[lo:hi], token, now)
			if err != nil {
				return err
			}
			_, err = s.exec(ctx, tx, s.d.InsertIgnore()+` events (idem_key, payload_hash, type, source, payload, trace_parent, accept_token, created_at) VALUES `+rowsOf(hi-lo, 8)+s.d.IgnoreConflicts("idem_key"), args...)
			return dbErr("insert events", err)
		}); err != nil {
			return nil, err
		}
		if err := s.selectEvents(ctx, tx, in, uniq, rows); err != nil {
			return nil, err
		}
	}

	var fresh, dups []int // indexes into in
	for _, i := range uniq {
		e, ok := rows[in[i].Key]
		switch {
		case !ok:
			return nil, store.Unavailable(errMissingEvent(in[i].Key))
		case e.token == token:
			fresh = append(fresh, i)
		case e.hash != in[i].PayloadHash:
			results[i].Err = conflict(in[i].Key)
		default:
			results[i].Duplicate = true
			dups = append(dups, i)
		}
	}

	if len(fresh) > 0 {
		if err := s.storeFresh(ctx, tx, in, fresh, rows, results, now); err != nil {
			return nil, err
		}
	}
	if len(dups) > 0 {
		ids := make([]int64, len(dups))
		for k, i := range dups {
			ids[k] = rows[in[i].Key].id
		}
		byEvent, err := s.notificationsOfEvents(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		pending, err := s.pendingOfEvents(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		for _, i := range dups {
			id := rows[in[i].Key].id
			results[i].Notifications = byEvent[id]
			results[i].Scheduled = pending[id]
			if in[i].Prepared != nil && in[i].Prepared.Topic != nil {
				if results[i].Topic, err = s.topicOf(ctx, tx, id); err != nil {
					return nil, err
				}
			}
		}
	}
	// Later inputs with a key seen earlier in the batch mirror the first one.
	for i, a := range in {
		j := first[a.Key]
		if j != i && results[i].Err == nil {
			results[i].Duplicate = true
			results[i].Notifications = results[j].Notifications
			results[i].Scheduled = results[j].Scheduled
			if results[j].Err != nil {
				results[i].Err = results[j].Err
			}
		}
	}
	return results, nil
}

// eventArgs are the insert arguments of the events at idx.
func eventArgs(in []store.AcceptInput, idx []int, token string, now time.Time) ([]any, error) {
	args := make([]any, 0, len(idx)*8)
	for _, i := range idx {
		a := in[i]
		payload := a.Payload // encoded once by ingest, on the caller's goroutine
		if payload == nil {
			var err error
			if payload, err = a.Prepared.Event.MarshalJSON(); err != nil {
				return nil, err
			}
		}
		received := a.ReceivedAt
		if received.IsZero() {
			received = now
		}
		args = append(args, a.Key, a.PayloadHash, a.Prepared.Event.Type, a.Source, string(payload), a.TraceParent, token, ms(received))
	}
	return args, nil
}

// selectEvents reads the stored rows of the events at idx into rows.
func (s *Store) selectEvents(ctx context.Context, tx *sql.Tx, in []store.AcceptInput, idx []int, rows map[string]eventRow) error {
	return chunks(len(idx), maxRowsPerInsert, func(lo, hi int) error {
		keys := make([]any, 0, hi-lo)
		for _, i := range idx[lo:hi] {
			keys = append(keys, in[i].Key)
		}
		// No FOR UPDATE: the INSERT above already locked every one of these rows (its own
		// exclusively; a duplicate's with the shared lock of the key check, after waiting
		// for the inserting transaction to end), and asking for an exclusive lock now would
		// make concurrent acceptors of one key deadlock upgrading their shared locks.
		r, err := s.query(ctx, tx, `SELECT id, idem_key, payload_hash, accept_token FROM events WHERE idem_key IN (`+placeholders(len(keys))+`)`, keys...)
		if err != nil {
			return dbErr("select events", err)
		}
		defer r.Close()
		for r.Next() {
			var key string
			var e eventRow
			if err := r.Scan(&e.id, &key, &e.hash, &e.token); err != nil {
				return dbErr("scan events", err)
			}
			rows[key] = e
		}
		return dbErr("select events", r.Err())
	})
}

const notificationCols = `n.id, n.user_id, n.seq, e.idem_key, n.type, n.message, n.url, n.created_at, n.read_at, n.seen_at, n.archived_at, n.replaces, n.replaced_by, n.data`

// scanNotification scans notificationCols, after the columns of before (if any).
func scanNotification(sc interface{ Scan(...any) error }, n *notify.Notification, before ...any) error {
	var created int64
	var read, seen, archived, replaces, replacedBy *int64
	var data *string
	if err := sc.Scan(append(before, &n.ID, &n.UserID, &n.Seq, &n.EventID, &n.Type, &n.Message, &n.URL, &created, &read, &seen, &archived, &replaces, &replacedBy, &data)...); err != nil {
		return err
	}
	n.CreatedAt = fromMS(created)
	n.ReadAt, n.SeenAt, n.ArchivedAt = fromNullMS(read), fromNullMS(seen), fromNullMS(archived)
	if replaces != nil {
		n.Replaces = *replaces
	}
	if replacedBy != nil {
		n.ReplacedBy = *replacedBy
	}
	if data != nil {
		n.Data = []byte(*data)
	}
	return nil
}

// notificationsOfEvents returns the notifications of each event id, in recipient order.
func (s *Store) notificationsOfEvents(ctx context.Context, q queryer, eventIDs []int64) (map[int64][]notify.Notification, error) {
	out := make(map[int64][]notify.Notification, len(eventIDs))
	err := chunks(len(eventIDs), maxRowsPerInsert, func(lo, hi int) error {
		r, err := q.QueryContext(ctx, `SELECT n.event_id, `+notificationCols+` FROM notifications n JOIN events e ON e.id = n.event_id WHERE n.event_id IN (`+placeholders(hi-lo)+`) ORDER BY n.id`, anys(eventIDs[lo:hi])...)
		if err != nil {
			return dbErr("select notifications", err)
		}
		defer r.Close()
		for r.Next() {
			var eid int64
			var n notify.Notification
			if err := scanNotification(r, &n, &eid); err != nil {
				return dbErr("scan notifications", err)
			}
			out[eid] = append(out[eid], n)
		}
		return dbErr("select notifications", r.Err())
	})
	return out, err
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func conflict(key string) error {
	return notify.Errorf(notify.CodeIdempotency, "event %q was already accepted with a different payload", key)
}

type errMissingEvent string

func (e errMissingEvent) Error() string {
	return "event " + string(e) + " vanished inside its transaction"
}

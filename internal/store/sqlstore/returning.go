package sqlstore

import (
	"context"
	"database/sql"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// Returner is implemented by a Dialect whose INSERT … RETURNING hands back the rows it
// inserted (SQLite 3.35+, PostgreSQL). Accept then learns the new ids from the insert itself instead
// of reading the events and notifications back: two statements fewer per batch, and no
// join over the rows just written.
type Returner interface {
	Returning() bool
}

func (s *Store) returning() bool {
	r, ok := s.d.(Returner)
	return ok && r.Returning()
}

// insertEventsReturning inserts the new events of uniq and records their ids in rows,
// marked with this transaction's token. Keys already stored are absent from rows.
func (s *Store) insertEventsReturning(ctx context.Context, tx *sql.Tx, in []store.AcceptInput, uniq []int, token string, now time.Time, rows map[string]eventRow) error {
	return chunks(len(uniq), maxRowsPerInsert, func(lo, hi int) error {
		args, err := eventArgs(in, uniq[lo:hi], token, now)
		if err != nil {
			return err
		}
		r, err := tx.QueryContext(ctx, s.d.InsertIgnore()+` events (idem_key, payload_hash, type, source, payload, trace_parent, accept_token, created_at) VALUES `+rowsOf(hi-lo, 8)+s.d.IgnoreConflicts("idem_key")+` RETURNING id, idem_key, payload_hash`, args...)
		if err != nil {
			return dbErr("insert events", err)
		}
		defer r.Close()
		for r.Next() {
			var key string
			e := eventRow{token: token}
			if err := r.Scan(&e.id, &key, &e.hash); err != nil {
				return dbErr("insert events", err)
			}
			rows[key] = e
		}
		return dbErr("insert events", r.Err())
	})
}

// insertNotesReturning inserts notes and returns the stored notifications in notes order.
func (s *Store) insertNotesReturning(ctx context.Context, tx *sql.Tx, in []store.AcceptInput, notes []pendingNote, created int64) ([]notify.Notification, error) {
	out := make([]notify.Notification, len(notes))
	type userSeq struct {
		user string
		seq  int64
	}
	at := make(map[userSeq]int, len(notes))
	for k, n := range notes {
		ev := in[n.input].Prepared.Event
		out[k] = notify.Notification{UserID: n.target.UserID, Seq: n.seq, EventID: in[n.input].Key, Type: ev.Type, Message: ev.Message, URL: ev.URL, CreatedAt: fromMS(created)}
		at[userSeq{n.target.UserID, n.seq}] = k
	}
	err := chunks(len(notes), maxRowsPerInsert, func(lo, hi int) error {
		args := notificationArgs(in, notes[lo:hi], created)
		r, err := tx.QueryContext(ctx, `INSERT INTO notifications (event_id, user_id, seq, role, type, message, url, created_at) VALUES `+rowsOf(hi-lo, 8)+` RETURNING id, user_id, seq`, args...)
		if err != nil {
			return dbErr("insert notifications", err)
		}
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
	})
	return out, err
}

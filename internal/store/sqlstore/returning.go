package sqlstore

import (
	"context"
	"database/sql"
	"time"

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
		r, err := s.query(ctx, tx, s.d.InsertIgnore()+` events (idem_key, payload_hash, type, source, payload, trace_parent, accept_token, created_at) VALUES `+rowsOf(hi-lo, 8)+s.d.IgnoreConflicts("idem_key")+` RETURNING id, idem_key, payload_hash`, args...)
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

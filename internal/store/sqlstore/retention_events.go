package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// unneededEvent is the condition on events e of one type (first argument) created before
// a time (second) that nothing needs any more: no notification left, no scheduled
// notification still waiting (the two waiting statuses follow), no digest window open or
// still named by a scheduled row, no running fan-out job. It is a range of events_age, which ends at the cutoff; each NOT
// EXISTS is one probe of an index on event_id.
const unneededEvent = `e.type = ? AND e.created_at < ?
	AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.event_id = e.id)
	AND NOT EXISTS (SELECT 1 FROM scheduled_notifications x WHERE x.event_id = e.id AND x.status IN (?, ?))
	AND NOT EXISTS (SELECT 1 FROM digests g WHERE g.event_id = e.id
		AND (g.status = 'open' OR EXISTS (SELECT 1 FROM scheduled_notifications y WHERE y.digest_id = g.id)))
	AND NOT EXISTS (SELECT 1 FROM topic_jobs j WHERE j.event_id = e.id AND j.status = '` + jobRunning + `')`

func unneededArgs(typ string, before time.Time) []any {
	return []any{typ, ms(before), store.PendingWaiting, store.PendingDigested}
}

// EventTypes implements store.Store: a loose scan of events_age, one probe per type.
func (s *Store) EventTypes(ctx context.Context) ([]string, error) {
	return s.typesIn(ctx, "events")
}

// PurgeEvents implements store.Store: in one transaction, the rows that only remember
// the events (children first, for the foreign keys), then the events.
func (s *Store) PurgeEvents(ctx context.Context, typ string, before time.Time, limit int) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		ids, err := queryIDs(ctx, tx, `SELECT e.id FROM events e`+s.d.UseIndex("events_age")+` WHERE `+unneededEvent+`
			ORDER BY e.created_at, e.id LIMIT ?`, append(unneededArgs(typ, before), limit)...)
		if err != nil {
			return dbErr("select purgeable events", err)
		}
		return chunks(len(ids), maxRowsPerInsert, func(lo, hi int) error {
			in, args := placeholders(hi-lo), anys(ids[lo:hi])
			for _, step := range []struct{ what, query string }{
				// Scheduled rows left are cancelled ones (the released ones went with their
				// notifications); the digest windows are closed and named by no scheduled row.
				{"scheduled", `DELETE FROM scheduled_notifications WHERE event_id IN (` + in + `)`},
				{"digests", `DELETE FROM digests WHERE event_id IN (` + in + `)`},
				{"topic jobs", `DELETE FROM topic_jobs WHERE event_id IN (` + in + `)`},
				{"throttled", `DELETE FROM throttled WHERE event_id IN (` + in + `)`},
				{"events", `DELETE FROM events WHERE id IN (` + in + `)`},
			} {
				res, err := tx.ExecContext(ctx, step.query, args...)
				if err != nil {
					return dbErr("purge "+step.what, err)
				}
				if step.what == "events" {
					k, _ := res.RowsAffected()
					n += k
				}
			}
			return nil
		})
	})
	return n, err
}

// countUnneededEvents counts the events PurgeEvents would delete at these cutoffs.
func (s *Store) countUnneededEvents(ctx context.Context, cutoffs map[string]time.Time) (int64, error) {
	var total int64
	for typ, before := range cutoffs {
		var n int64
		if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM events e WHERE `+unneededEvent, unneededArgs(typ, before)...).Scan(&n); err != nil {
			return total, dbErr("count purgeable events", err)
		}
		total += n
	}
	return total, nil
}

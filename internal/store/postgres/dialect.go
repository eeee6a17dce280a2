package postgres

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// dialect is sqlstore.Dialect for PostgreSQL 13 and later.
type dialect struct{}

func (dialect) InsertIgnore() string { return "INSERT INTO" }

func (dialect) IgnoreConflicts(key string) string {
	return " ON CONFLICT (" + key + ") DO NOTHING"
}

func (dialect) UpsertSeq() string {
	return " ON CONFLICT (user_id) DO UPDATE SET last_seq = EXCLUDED.last_seq"
}

func (dialect) ForUpdate() string  { return " FOR UPDATE" }
func (dialect) SkipLocked() string { return " FOR UPDATE SKIP LOCKED" }

// UseIndex: PostgreSQL takes no hints, and plans a page's range scan on its own.
func (dialect) UseIndex(string) string { return "" }

// Unindexed: the planner's statistics pick the plan.
func (dialect) Unindexed(col string) string { return col }

// Returning: INSERT … RETURNING hands back the new ids (PostgreSQL has no last insert id).
func (dialect) Returning() bool { return true }

// TxOptions: READ COMMITTED, PostgreSQL's default. Every row a transaction depends on is
// read with a locking read or written with ON CONFLICT, both of which see the newest
// committed version; each statement sees what committed before it started. REPEATABLE
// READ would instead fail a transaction whose locked row changed since its snapshot
// (40001) and make acceptors of one busy user retry one another.
func (dialect) TxOptions() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
}

// Retryable: the server chose this transaction as a deadlock's victim (40P01) or could
// not serialize it (40001); either way it was rolled back and running it again is safe.
// A connection lost mid-transaction is not retried here: the outcome of a COMMIT whose
// answer was lost is unknown, and the caller's retry goes through idempotency keys.
func (dialect) Retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01", "55P03": // serialization_failure, deadlock_detected, lock_not_available
			return true
		}
	}
	return false
}

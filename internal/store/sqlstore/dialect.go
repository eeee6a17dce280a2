// Package sqlstore implements store.Store once, in SQL that SQLite, MySQL/MariaDB and
// PostgreSQL all speak, with a small Dialect for the few places where they differ. The
// backends (internal/store/sqlite, internal/store/mysql, internal/store/postgres) open the
// database, run their migrations and hand it here.
//
// Statements use "?" placeholders. A backend whose database numbers them instead
// (PostgreSQL's $1, $2, …) rewrites them in its connection (see internal/store/postgres),
// so that every statement here, and every one added later, serves all three unchanged.
package sqlstore

import (
	"context"
	"database/sql"
)

// Dialect is what differs between the SQL backends.
type Dialect interface {
	// InsertIgnore starts an INSERT that skips rows violating a unique key, and
	// IgnoreConflicts finishes it, after VALUES (and before any RETURNING): "INSERT IGNORE
	// INTO" and "" on MySQL, "INSERT INTO" and " ON CONFLICT (key) DO NOTHING" on
	// PostgreSQL, where key is the unique key's columns ("idem_key"): a conflict on any
	// other key (a primary key) stays an error there instead of silently dropping the row.
	InsertIgnore() string
	IgnoreConflicts(key string) string
	// UpsertSeq finishes "INSERT INTO recipients (user_id, last_seq) VALUES …" so that an
	// existing user's last_seq is set to the inserted value.
	UpsertSeq() string
	// ForUpdate is appended to a SELECT that must lock the rows it reads until commit
	// ("" where the database has a single writer).
	ForUpdate() string
	// SkipLocked is appended to the SELECT that claims deliveries, so concurrent claimers
	// in other processes pass over each other's rows.
	SkipLocked() string
	// UseIndex names the index a SELECT from notifications n must walk, placed after the
	// table's alias ("" where the planner needs no telling). See ListInbox.
	UseIndex(index string) string
	// Unindexed writes a column so that the planner does not look the condition on it up
	// in an index (SQLite's unary +), where doing so is the wrong plan and no statistics
	// tell the planner so; the column itself where the planner's statistics do.
	Unindexed(col string) string
	// TxOptions are the options of every read-write transaction.
	TxOptions() *sql.TxOptions
	// Retryable reports whether a transaction failed for a reason worth retrying at once
	// (a deadlock, a busy database).
	Retryable(err error) bool
}

// DBs are the handles a backend gives the store: writes go to W, reads to R (they may be
// the same pool; SQLite uses one writer connection and a pool of readers).
type DBs struct {
	W, R *sql.DB
	// Stop, when set, stops what the backend runs beside the pools (SQLite's checkpointer);
	// Close calls it before closing them.
	Stop func()
}

func (d DBs) close() error {
	if d.Stop != nil {
		d.Stop()
	}
	err := d.W.Close()
	if d.R != d.W {
		if e := d.R.Close(); err == nil {
			err = e
		}
	}
	return err
}

func (d DBs) ping(ctx context.Context) error {
	if err := d.W.PingContext(ctx); err != nil {
		return err
	}
	if d.R != d.W {
		return d.R.PingContext(ctx)
	}
	return nil
}

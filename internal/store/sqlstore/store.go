package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/notifyd/notifyd/internal/store"
)

// Store is store.Store over a SQL database.
type Store struct {
	db    DBs
	d     Dialect
	hooks webhookTargets // outbound webhooks: which state changes write outbox rows
	stmts *stmtCache     // Accept's statements, prepared once per shape (SQLite)
	turns *turns         // accepts take the writer before fan-out pages (turns.go)
}

var _ store.Store = (*Store)(nil)

// New returns a Store over migrated databases.
func New(db DBs, d Dialect) *Store {
	return &Store{db: db, d: d, stmts: newStmtCache(d), turns: newTurns()}
}

// Close closes the databases.
func (s *Store) Close() error {
	s.stmts.close()
	return s.db.close()
}

// Ping checks both pools answer.
func (s *Store) Ping(ctx context.Context) error { return store.Unavailable(s.db.ping(ctx)) }

// DB returns the write pool, for backend-specific tests and tools.
func (s *Store) DB() *sql.DB { return s.db.W }

// inTx runs fn in a read-write transaction, again (up to a few times) when the database
// reports a deadlock or a busy lock. Errors from the database come back as unavailable.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.tryTx(ctx, fn)
		if err == nil || !s.d.Retryable(err) || ctx.Err() != nil {
			break
		}
	}
	return err
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.stmts.prepare(ctx, s.db.W)
	tx, err := s.db.W.BeginTx(ctx, s.d.TxOptions())
	if err != nil {
		return store.Unavailable(fmt.Errorf("begin: %w", err))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return store.Unavailable(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// dbErr marks a database error as unavailable, keeping notify errors as they are.
func dbErr(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return store.Unavailable(fmt.Errorf("%s: %w", what, err))
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

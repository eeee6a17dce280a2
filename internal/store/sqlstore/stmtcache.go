package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// StatementCacher is implemented by a Dialect whose write pool is worth keeping prepared
// statements on (SQLite: one writer connection, where parsing a multi-row INSERT costs
// as much as running it). Accept's statements are then parsed once per shape (per number
// of rows) instead of once per transaction.
type StatementCacher interface {
	CacheStatements() bool
}

// maxCachedStmts bounds the cache: Accept's statements come in one shape per row count
// (1…maxRowsPerInsert), and the small counts are the ones a steady load repeats.
const maxCachedStmts = 256

// stmtCache holds statements prepared on the write pool, by query text. A query that
// missed is run unprepared and queued; the next transaction prepares it before it
// begins (never inside one: the writer pool's only connection is the transaction's).
type stmtCache struct {
	mu      sync.Mutex
	on      bool
	stmts   map[string]*sql.Stmt
	wanted  map[string]struct{}
	stopped bool
}

func newStmtCache(d Dialect) *stmtCache {
	c, ok := d.(StatementCacher)
	return &stmtCache{on: ok && c.CacheStatements(), stmts: map[string]*sql.Stmt{}, wanted: map[string]struct{}{}}
}

// get returns the cached statement for q, or nil after queuing q to be prepared.
func (c *stmtCache) get(q string) *sql.Stmt {
	if !c.on {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stmts[q]
	if st == nil && len(c.stmts)+len(c.wanted) < maxCachedStmts {
		c.wanted[q] = struct{}{}
	}
	return st
}

// prepare prepares the queued queries on db; called with no transaction open. The lock
// is not held while preparing: a transaction holding the writer connection may be
// asking get for a statement meanwhile.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB) {
	if !c.on {
		return
	}
	c.mu.Lock()
	if len(c.wanted) == 0 || c.stopped {
		c.mu.Unlock()
		return
	}
	qs := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		qs = append(qs, q)
		delete(c.wanted, q)
	}
	c.mu.Unlock()
	for _, q := range qs {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue // q stays unprepared: it keeps running as plain text
		}
		c.mu.Lock()
		if c.stopped || c.stmts[q] != nil {
			_ = st.Close()
		} else {
			c.stmts[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
}

// exec runs q in tx, through its cached statement when there is one.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st := s.stmts.get(q); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// query runs q in tx, through its cached statement when there is one.
func (s *Store) query(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	if st := s.stmts.get(q); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, q, args...)
}

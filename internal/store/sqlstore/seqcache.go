package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// SeqCacher is implemented by a Dialect whose database has one writer, this process
// (SQLite): every change to recipients.last_seq then goes through this Store's
// transactions, so the last sequence number each user was given can be kept in memory
// and writeNotes need not read it back (one statement fewer per transaction on the
// single writer). The row is still written in the same transaction as the
// notifications, so the database stays the truth after a restart.
type SeqCacher interface {
	CacheSeqs() bool
}

// maxCachedSeqs bounds the users remembered; past it an arbitrary one is forgotten and
// read from the database again when it next gets a notification.
const maxCachedSeqs = 1 << 16

// seqCache holds users' last sequence numbers as committed. A transaction that uses it
// holds it from its first use (take) until it has committed or rolled back (end), and
// its own assignments become visible to the next transaction only if it committed. The
// writer connection already serialises these transactions; holding the cache across
// the commit closes the gap between one transaction's COMMIT releasing the connection
// and its numbers being recorded here, in which the next one would read stale values.
type seqCache struct {
	on  bool
	sem chan struct{} // one slot, held by the transaction using the cache

	mu      sync.Mutex // guards the fields below
	holder  *sql.Tx
	last    map[string]int64
	pending map[string]int64 // the holder's assignments; -1: forget the user
}

func newSeqCache(d Dialect) *seqCache {
	c, ok := d.(SeqCacher)
	return &seqCache{on: ok && c.CacheSeqs(), sem: make(chan struct{}, 1), last: map[string]int64{}}
}

// take makes tx the cache's holder, waiting for the transaction holding it to end. It
// reports false when the cache is off.
func (c *seqCache) take(ctx context.Context, tx *sql.Tx) (bool, error) {
	if !c.on {
		return false, nil
	}
	c.mu.Lock()
	held := c.holder == tx
	c.mu.Unlock()
	if held {
		return true, nil
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	c.mu.Lock()
	c.holder, c.pending = tx, map[string]int64{}
	c.mu.Unlock()
	return true, nil
}

// lookup returns the last sequence numbers of the users it knows, as tx sees them.
func (c *seqCache) lookup(tx *sql.Tx, users []string) map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(users))
	for _, u := range users {
		if v, ok := c.pending[u]; ok && c.holder == tx {
			if v >= 0 {
				out[u] = v
			}
			continue
		}
		if v, ok := c.last[u]; ok {
			out[u] = v
		}
	}
	return out
}

// set records what tx wrote (or, with -1, that the user's row is gone), for after its commit.
func (c *seqCache) set(tx *sql.Tx, seqs map[string]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holder != tx {
		return
	}
	for u, v := range seqs {
		c.pending[u] = v
	}
}

// end releases the cache if tx holds it, keeping tx's assignments when it committed.
// When it did not, the users it touched are forgotten: if the failure was a stale value
// (a row changed behind this Store's back, which UNIQUE (user_id, seq) turns into an
// error, never into a duplicate), the next attempt reads them from the database.
func (c *seqCache) end(tx *sql.Tx, committed bool) {
	if !c.on {
		return
	}
	c.mu.Lock()
	if c.holder != tx {
		c.mu.Unlock()
		return
	}
	if !committed {
		for u := range c.pending {
			delete(c.last, u)
		}
	} else {
		for u, v := range c.pending {
			if v < 0 {
				delete(c.last, u)
				continue
			}
			if _, ok := c.last[u]; !ok && len(c.last) >= maxCachedSeqs {
				for old := range c.last { // Go's map order: an arbitrary user
					delete(c.last, old)
					break
				}
			}
			c.last[u] = v
		}
	}
	c.holder, c.pending = nil, nil
	c.mu.Unlock()
	<-c.sem
}

// forgetSeq makes the next transaction read userID's sequence from the database again
// (EraseUser deletes the row).
func (s *Store) forgetSeq(ctx context.Context, tx *sql.Tx, userID string) error {
	on, err := s.seqs.take(ctx, tx)
	if err != nil || !on {
		return err
	}
	s.seqs.set(tx, map[string]int64{userID: -1})
	return nil
}

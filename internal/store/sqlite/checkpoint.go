package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// checkpointer copies the WAL into the database file from a connection of its own, so the
// writer never does it inside a commit. With SQLite's automatic checkpoint, the commit that
// crossed the threshold copied thousands of pages (and, with synchronous=NORMAL, fsynced
// the database file) while every event queued behind it waited: the p99 tail of
// sync=normal was about 4× sync=full's (BENCHMARKS.md). A PASSIVE checkpoint takes no
// lock the writer needs, so commits go on while it runs. SQLite's own busy handling and
// WAL reset need nothing more; hand-written because no library schedules checkpoints.
type checkpointer struct {
	db     *sql.DB
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// checkpointEvery is how often the WAL is copied back. At 2,000 events/s (about 9 WAL
// frames each) the WAL grows by about 18 MB between checkpoints, less than the 32 MB
// (8,192 pages) at which the writer used to checkpoint; each checkpoint copies only the
// distinct pages written since the last.
const checkpointEvery = 250 * time.Millisecond

func startCheckpointer(db *sql.DB) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, cancel: cancel}
	c.wg.Go(func() {
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			var busy, log, done int
			if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil && ctx.Err() == nil {
				slog.WarnContext(ctx, "sqlite: checkpoint failed; the WAL grows until one succeeds", "err", err)
			}
		}
	})
	return c
}

// stop ends the checkpoints and closes their connection; the writer's close checkpoints
// what is left.
func (c *checkpointer) stop() {
	c.cancel()
	c.wg.Wait()
	_ = c.db.Close()
}

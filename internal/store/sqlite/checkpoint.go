package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// checkpointer copies the WAL into the database file from a connection of its own, so the
// writer never does it inside a commit. With SQLite's automatic checkpoint, the commit that
// crossed the threshold copied thousands of pages (and, with synchronous=NORMAL, fsynced
// the database file) while every event queued behind it waited: the p99 tail of
// sync=normal was about 4× sync=full's (BENCHMARKS.md). A PASSIVE checkpoint takes no
// lock the writer needs, so commits go on while it runs.
//
// A PASSIVE checkpoint alone never lets the WAL start over under steady load: SQLite
// rewinds the WAL only when a write transaction begins with every frame copied, and what
// is committed while a checkpoint runs is left for the next one. The WAL grew by every
// page written (1.5 GB in 20 s at 2,000 events/s, BENCHMARKS.md), each commit appending
// to new file blocks. So once the WAL holds rewindFrames, the checkpointer runs one more
// PASSIVE checkpoint on the writer's own connection: it copies only what was committed
// since the last one, no commit can run meanwhile (the committer waits for the connection
// in database/sql's pool), and the next commit writes from the WAL's start. It waits for
// no reader; one still in the WAL only delays the rewind to a later tick. Hand-written
// because no library schedules checkpoints.
type checkpointer struct {
	ck, writer *sql.DB
	cancel     context.CancelFunc
	wg         sync.WaitGroup
}

// checkpointEvery is how often the WAL is copied back. At 2,000 events/s (about 9 WAL
// frames each) the WAL grows by about 18 MB between checkpoints, less than the 32 MB
// (8,192 pages) at which the writer used to checkpoint; each checkpoint copies only the
// distinct pages written since the last.
const checkpointEvery = 250 * time.Millisecond

// rewindFrames is the WAL length (in 4 KiB pages: 256 MiB) from which a tick makes the
// WAL start over. Each rewind holds the writer for one short checkpoint: about 500 frames
// committed during the PASSIVE one and the fsyncs of the WAL and the database file, 8–21
// ms at 2,000 events/s on the benchmark machine. At 64 MiB (once a second there) that
// showed in the p99; at 256 MiB it is once every 3–4 s, about 0.5 % of the events.
var rewindFrames = 65536 // a variable only so that a test can lower it

func startCheckpointer(ck, writer *sql.DB) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{ck: ck, writer: writer, cancel: cancel}
	c.wg.Go(func() {
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := c.tick(ctx); err != nil && ctx.Err() == nil {
				slog.WarnContext(ctx, "sqlite: checkpoint failed; the WAL grows until one succeeds", "err", err)
			}
		}
	})
	return c
}

// tick copies the WAL back without holding the writer and, once the WAL is long, on the
// writer's connection so that it starts over.
func (c *checkpointer) tick(ctx context.Context) error {
	frames, err := passive(ctx, c.ck)
	if err != nil || frames < rewindFrames {
		return err
	}
	_, err = passive(ctx, c.writer)
	return err
}

// passive runs a PASSIVE checkpoint on db and returns the WAL's length in frames.
func passive(ctx context.Context, db *sql.DB) (frames int, err error) {
	var busy, copied int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	return frames, nil
}

// stop ends the checkpoints and closes their connection; the writer's close checkpoints
// what is left.
func (c *checkpointer) stop() {
	c.cancel()
	c.wg.Wait()
	_ = c.ck.Close()
}

// Package sqlite is notifyd's embedded store: SQLite through a pure-Go driver, in WAL mode,
// with one writer connection (SQLite has one writer anyway) and a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/notifyd/notifyd/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Sync settings for the ?sync= parameter.
const (
	// SyncFull (the default) fsyncs the WAL at every commit: a committed, acknowledged
	// event survives a process crash, an OS crash and a power loss.
	SyncFull = "full"
	// SyncNormal does not fsync at commit (SQLite's synchronous=NORMAL in WAL mode; the
	// WAL is fsynced at checkpoints): a committed event survives a process crash or
	// SIGKILL, but an OS crash or power loss can roll back the last transactions, events
	// that were already acknowledged (HTTP 202, SQS message deleted) and pushed.
	SyncNormal = "normal"
)

// ParseDSN splits what follows "sqlite:" in NOTIFY_DATABASE_URL into the file path and
// the sync setting: "data/notify.db", "data/notify.db?sync=full" (the default) or
// "data/notify.db?sync=normal". Unknown parameters and values are errors.
func ParseDSN(dsn string) (path, sync string, err error) {
	path, query, _ := strings.Cut(dsn, "?")
	if path == "" {
		return "", "", errors.New("sqlite: empty path")
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("sqlite: %q: %w", query, err)
	}
	sync = SyncFull
	for k, v := range q {
		if k != "sync" {
			return "", "", fmt.Errorf("sqlite: unknown parameter %q in %q (the only one is sync=full|normal)", k, dsn)
		}
		if len(v) != 1 || (v[0] != SyncFull && v[0] != SyncNormal) {
			return "", "", fmt.Errorf("sqlite: sync=%s: want sync=full (fsync every commit, the default) or sync=normal (no fsync at commit: survives a process crash, not an OS crash or power loss)", strings.Join(v, ","))
		}
		sync = v[0]
	}
	return path, sync, nil
}

// Open opens (creating it and its folder if needed) and migrates the SQLite file named
// by dsn: a path, optionally with ?sync=full (the default) or ?sync=normal (ParseDSN).
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	path, sync, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	// synchronous(FULL), the default: a committed event survives power loss, not only a
	// crash. Group commit (internal/ingest) keeps the fsyncs per event low.
	// synchronous(NORMAL) with ?sync=normal: no fsync at commit (see SyncNormal).
	// temp_store(MEMORY): a multi-row INSERT's statement journal stays in memory instead
	// of a temporary file written page by page.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(" + strings.ToUpper(sync) + ")&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)"
	// The writer's cache (32 MiB) holds a whole group-committed batch, so no page is
	// spilled to the WAL mid-transaction and rewritten at commit. The writer never
	// checkpoints (wal_autocheckpoint 0): checkpoint.go does, from its own connection.
	// journal_size_limit: when the WAL starts over (checkpoint.go), SQLite cuts the file
	// back to 256 MiB, the length at which it is made to, instead of keeping its largest.
	writer := "&_pragma=cache_size(-32768)&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(268435456)"
	w, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?_txlock=immediate&"+pragmas+writer)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?_pragma=query_only(ON)&"+pragmas)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	ck, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?"+pragmas)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	ck.SetMaxOpenConns(1)
	return sqlstore.New(sqlstore.DBs{W: w, R: r, Stop: startCheckpointer(ck, w).stop}, dialect{}), nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, mustSub(migrations, "migrations"))
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

type dialect struct{}

func (dialect) InsertIgnore() string          { return "INSERT OR IGNORE INTO" }
func (dialect) IgnoreConflicts(string) string { return "" }
func (dialect) UpsertSeq() string {
	return " ON CONFLICT (user_id) DO UPDATE SET last_seq = excluded.last_seq"
}
func (dialect) ForUpdate() string      { return "" } // one writer: the transaction holds the lock
func (dialect) SkipLocked() string     { return "" }
func (dialect) UseIndex(string) string { return "" } // the planner picks the page's index

// Unindexed: a unary + keeps SQLite from answering the condition from an index (it does
// not run ANALYZE, so it cannot know that most deliveries are sent).
func (dialect) Unindexed(col string) string { return "+" + col }
func (dialect) TxOptions() *sql.TxOptions   { return nil }

// Returning: SQLite (3.35+) answers INSERT … RETURNING, so Accept skips reading rows back.
func (dialect) Returning() bool { return true }

// CacheStatements: Accept's statements stay prepared on the one writer connection.
func (dialect) CacheStatements() bool { return true }
func (dialect) Retryable(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

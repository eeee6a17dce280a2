package sqlite

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// MigrateTo migrates db up to version only, as an older release left it.
func MigrateTo(ctx context.Context, db *sql.DB, version int64) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, mustSub(migrations, "migrations"))
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// SetRewindFrames lowers the WAL length at which the checkpointer rewinds it, for a test;
// the returned function puts it back.
func SetRewindFrames(n int) (restore func()) {
	old := rewindFrames
	rewindFrames = n
	return func() { rewindFrames = old }
}

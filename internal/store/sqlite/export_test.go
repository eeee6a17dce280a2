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

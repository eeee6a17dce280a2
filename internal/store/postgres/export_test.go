package postgres

import (
	"context"
	"database/sql"
	"io/fs"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// OpenAt opens rawURL's database migrated up to version only, as an earlier build left it.
func OpenAt(ctx context.Context, rawURL string, version int64) (*sql.DB, error) {
	cfg, _, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector{stdlib.GetConnector(*cfg, stdlib.OptionShouldPing(shouldPing))})
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, dir)
	if err != nil {
		return nil, err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Pending and ShouldPing are the pool's liveness check (liveness.go).
var (
	Pending    = pending
	ShouldPing = shouldPing
)

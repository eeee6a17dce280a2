package mysql

import (
	"context"
	"database/sql"
	"io/fs"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"
)

// OpenAt opens rawURL's database migrated up to version only, as an older release left it.
func OpenAt(ctx context.Context, rawURL string, version int64) (*sql.DB, error) {
	cfg, _, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectMySQL, db, dir)
	if err != nil {
		return nil, err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

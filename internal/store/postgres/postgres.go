// Package postgres is notifyd's PostgreSQL store (13 or later) through pgx, shared by
// every replica. The SQL itself is sqlstore's; this package opens the pool, migrates the
// schema (embedded goose migrations), rewrites sqlstore's "?" placeholders into $n (in
// the connection, see rebind.go) and supplies the dialect.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/notifyd/notifyd/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects to the database of rawURL (postgres://user:pass@host:port/db?params, see
// ParseURL), migrates it and returns the store. Several replicas may Open the same
// database at once: migrations run under an advisory lock.
func Open(ctx context.Context, rawURL string) (*sqlstore.Store, error) {
	cfg, pool, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector{stdlib.GetConnector(*cfg, stdlib.OptionShouldPing(shouldPing))})
	pool.Apply(db)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return sqlstore.New(sqlstore.DBs{W: db, R: db}, dialect{}), nil
}

// migrate brings the schema up to date. goose holds a session-level advisory lock
// (pg_try_advisory_lock, scoped to this database) while it runs, so replicas starting
// together migrate one after another and the later ones find nothing to do. PostgreSQL
// DDL is transactional: each migration applies wholly or not at all.
func migrate(ctx context.Context, db *sql.DB) error {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, dir, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

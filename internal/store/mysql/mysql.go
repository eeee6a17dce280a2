// Package mysql is notifyd's production store: MySQL 8 or MariaDB 10.11 through
// go-sql-driver/mysql, shared by every replica. The SQL itself is sqlstore's; this package
// opens the pool, migrates the schema (embedded goose migrations) and supplies the dialect.
package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"

	"github.com/notifyd/notifyd/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects to the database of rawURL (mysql://user:pass@host:port/db?params, see
// ParseURL), migrates it and returns the store. Several replicas may Open the same
// database at once: migrations run under a named lock.
func Open(ctx context.Context, rawURL string) (*sqlstore.Store, error) {
	cfg, pool, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql: %w", err)
	}
	db := sql.OpenDB(conn)
	pool.Apply(db)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("mysql: connect %s: %w", cfg.Addr, err)
	}
	if err := migrate(ctx, db, lockName(cfg.DBName)); err != nil {
		db.Close()
		return nil, err
	}
	return sqlstore.New(sqlstore.DBs{W: db, R: db}, dialect{}), nil
}

// lockName names the lock that serialises migrations between replicas: one per database
// (GET_LOCK names are server-wide and at most 64 characters).
func lockName(db string) string {
	name := "notifyd.migrate." + db
	if len(name) > 64 {
		name = fmt.Sprintf("notifyd.migrate.%x", sha256.Sum256([]byte(db)))[:64]
	}
	return name
}

// migrate brings the schema up to date. GET_LOCK is held by one session while goose runs
// on others from the pool, so replicas starting together migrate one after another and
// the later ones find nothing to do. MySQL DDL is not transactional: a migration that
// fails halfway must be repaired by hand.
func migrate(ctx context.Context, db *sql.DB, lockName string) error {
	lock, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("mysql: migrate: %w", err)
	}
	defer lock.Close()
	var got sql.NullInt64
	if err := lock.QueryRowContext(ctx, `SELECT GET_LOCK(?, 60)`, lockName).Scan(&got); err != nil {
		return fmt.Errorf("mysql: migrate: lock: %w", err)
	}
	if got.Int64 != 1 {
		return fmt.Errorf("mysql: migrate: another process held the migration lock for 60s")
	}
	defer lock.ExecContext(context.WithoutCancel(ctx), `SELECT RELEASE_LOCK(?)`, lockName)

	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("mysql: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectMySQL, db, dir)
	if err != nil {
		return fmt.Errorf("mysql: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("mysql: migrate: %w", err)
	}
	return nil
}

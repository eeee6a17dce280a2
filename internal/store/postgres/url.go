package postgres

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/notifyd/notifyd/internal/store/sqlstore"
)

// Pool sizes the connection pool (see sqlstore.Pool).
type Pool = sqlstore.Pool

// ParseURL turns postgres://user:pass@host:port/db?params (or postgresql://) into a pgx
// connection configuration and a pool size. Query parameters are libpq's and pgx's
// (sslmode, connect_timeout, application_name, default_query_exec_mode, any server
// setting such as search_path, …; they override the defaults below) plus maxOpenConns,
// maxIdleConns and connMaxLifetime for the pool, named as for MySQL.
//
// Defaults: connect_timeout=5, application_name=notifyd. Without sslmode pgx tries TLS
// first and falls back to plain (libpq's "prefer"); production URLs should say
// sslmode=verify-full or sslmode=disable on a private network.
func ParseURL(rawURL string) (*pgx.ConnConfig, Pool, error) {
	var pool Pool
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, pool, fmt.Errorf("postgres: bad url: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, pool, fmt.Errorf("postgres: url scheme is %q, want postgres or postgresql", u.Scheme)
	}
	if db := strings.TrimPrefix(u.Path, "/"); db == "" || strings.Contains(db, "/") {
		return nil, pool, fmt.Errorf("postgres: url %q names no database (postgres://user:pass@host:port/db)", u.Redacted())
	}
	q := u.Query()
	// The pool's parameters go before pgx sees the rest: it would send unknown parameters
	// to the server as settings, which it refuses.
	if pool, err = sqlstore.TakePool(q); err != nil {
		return nil, pool, fmt.Errorf("postgres: %w", err)
	}
	if !q.Has("connect_timeout") {
		q.Set("connect_timeout", "5")
	}
	if !q.Has("application_name") {
		q.Set("application_name", "notifyd")
	}
	if u.Host == "" {
		u.Host = "127.0.0.1:5432" // pgx would otherwise look for a Unix socket
	}
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, pool, fmt.Errorf("postgres: url %q: %w", u.Redacted(), err)
	}
	return cfg, pool, nil
}

package postgres

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Pool sizes the connection pool. The zero value takes the defaults.
type Pool struct {
	MaxOpen     int           // connections at most (default 20)
	MaxIdle     int           // idle connections kept (default MaxOpen)
	MaxLifetime time.Duration // recycle connections older than this (default 5m)
}

// poolParams are query parameters of the URL that size the pool rather than configure
// the connection; ParseURL removes them before pgx sees the rest (pgx would send unknown
// parameters to the server as settings, which it refuses).
var poolParams = map[string]func(p *Pool, v string) error{
	"maxOpenConns": func(p *Pool, v string) (err error) { p.MaxOpen, err = strconv.Atoi(v); return },
	"maxIdleConns": func(p *Pool, v string) (err error) { p.MaxIdle, err = strconv.Atoi(v); return },
	"connMaxLifetime": func(p *Pool, v string) (err error) {
		p.MaxLifetime, err = time.ParseDuration(v)
		return
	},
}

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
	for name, set := range poolParams {
		if v := q.Get(name); v != "" {
			if err := set(&pool, v); err != nil {
				return nil, pool, fmt.Errorf("postgres: url parameter %s: %w", name, err)
			}
		}
		q.Del(name)
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
	return cfg, pool.withDefaults(), nil
}

func (p Pool) withDefaults() Pool {
	if p.MaxOpen <= 0 {
		p.MaxOpen = 20
	}
	if p.MaxIdle <= 0 || p.MaxIdle > p.MaxOpen {
		p.MaxIdle = p.MaxOpen
	}
	if p.MaxLifetime <= 0 {
		p.MaxLifetime = 5 * time.Minute
	}
	return p
}

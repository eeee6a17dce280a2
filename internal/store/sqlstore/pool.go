package sqlstore

import (
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Pool sizes the connection pool of a database server store (MySQL/MariaDB, PostgreSQL).
// The zero value takes the defaults.
type Pool struct {
	MaxOpen     int           // connections at most (default 20)
	MaxIdle     int           // idle connections kept (default MaxOpen)
	MaxLifetime time.Duration // recycle connections older than this (default 5m)
}

// poolParams are the query parameters of a store URL that size the pool rather than
// configure the driver.
var poolParams = map[string]func(p *Pool, v string) error{
	"maxOpenConns": func(p *Pool, v string) (err error) { p.MaxOpen, err = strconv.Atoi(v); return },
	"maxIdleConns": func(p *Pool, v string) (err error) { p.MaxIdle, err = strconv.Atoi(v); return },
	"connMaxLifetime": func(p *Pool, v string) (err error) {
		p.MaxLifetime, err = time.ParseDuration(v)
		return
	},
}

// TakePool removes maxOpenConns, maxIdleConns and connMaxLifetime from q, before the
// driver sees the rest, and returns the pool they size with the defaults filled in.
func TakePool(q url.Values) (Pool, error) {
	var p Pool
	for name, set := range poolParams {
		if v := q.Get(name); v != "" {
			if err := set(&p, v); err != nil {
				return p, fmt.Errorf("url parameter %s: %w", name, err)
			}
		}
		q.Del(name)
	}
	if p.MaxOpen <= 0 {
		p.MaxOpen = 20
	}
	if p.MaxIdle <= 0 || p.MaxIdle > p.MaxOpen {
		p.MaxIdle = p.MaxOpen
	}
	if p.MaxLifetime <= 0 {
		p.MaxLifetime = 5 * time.Minute
	}
	return p, nil
}

// Apply sizes db's pool.
func (p Pool) Apply(db *sql.DB) {
	db.SetMaxOpenConns(p.MaxOpen)
	db.SetMaxIdleConns(p.MaxIdle)
	db.SetConnMaxLifetime(p.MaxLifetime)
}

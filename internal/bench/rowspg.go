package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// freshPGDatabase creates the empty database name on the PostgreSQL server of serverURL
// (postgres://user@host:port/any-db) and returns its URL and a function that drops it.
func freshPGDatabase(ctx context.Context, serverURL, name string) (string, func(), error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("--server: %w", err)
	}
	if err := Loopback(u.Host); err != nil {
		return "", nil, fmt.Errorf("--server: %w", err)
	}
	exec := func(ctx context.Context, stmt string) error {
		db, err := sql.Open("pgx", serverURL)
		if err != nil {
			return err
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		_, err = db.ExecContext(ctx, stmt)
		return err
	}
	if err := exec(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	drop := func() { _ = exec(context.Background(), `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`) }
	return u.String(), drop, nil
}

package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/notifyd/notifyd/internal/store/mysql"
)

// freshDatabase creates the empty database name on the MariaDB/MySQL server of serverURL
// (mysql://user:pass@host:port/any-db) and returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, serverURL, name string) (string, func(), error) {
	cfg, _, err := mysql.ParseURL(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("--mysql: %w", err)
	}
	if err := Loopback(cfg.Addr); err != nil {
		return "", nil, fmt.Errorf("--mysql: %w", err)
	}
	cfg.DBName = ""
	cfg.Timeout = 5 * time.Second
	exec := func(ctx context.Context, stmt string) error {
		conn, err := gomysql.NewConnector(cfg)
		if err != nil {
			return err
		}
		db := sql.OpenDB(conn)
		defer db.Close()
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		_, err = db.ExecContext(ctx, stmt)
		return err
	}
	if err := exec(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		// ctx may have ended (an interrupted run): the drop gets its own minute.
		_ = exec(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`")
	}
	return u.String(), drop, nil
}

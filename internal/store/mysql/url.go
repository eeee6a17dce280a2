package mysql

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/notifyd/notifyd/internal/store/sqlstore"
)

// Pool sizes the connection pool (see sqlstore.Pool).
type Pool = sqlstore.Pool

// ParseURL turns mysql://user:pass@host:port/db?params into a driver configuration and a
// pool size. Query parameters are go-sql-driver/mysql DSN parameters (tls, timeout,
// interpolateParams, …; they override the defaults below) plus maxOpenConns, maxIdleConns
// and connMaxLifetime for the pool.
//
// Defaults: utf8mb4 on the connection, interpolateParams=true (one round trip per
// statement instead of prepare, execute and close: Accept runs about a dozen statements per
// transaction), sql_mode=TRADITIONAL (strict: a value too long for its column is an error,
// never silently cut, which matters for idempotency keys), 5s dial and 30s read/write
// timeouts.
func ParseURL(rawURL string) (*gomysql.Config, Pool, error) {
	var pool Pool
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, pool, fmt.Errorf("mysql: bad url: %w", err)
	}
	if u.Scheme != "mysql" {
		return nil, pool, fmt.Errorf("mysql: url scheme is %q, want mysql", u.Scheme)
	}
	cfg := gomysql.NewConfig()
	cfg.Net = "tcp"
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3306"
	}
	cfg.Addr = net.JoinHostPort(host, port)
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" || strings.Contains(cfg.DBName, "/") {
		return nil, pool, fmt.Errorf("mysql: url %q names no database (mysql://user:pass@host:port/db)", u.Redacted())
	}
	cfg.Collation = "utf8mb4_unicode_ci"
	cfg.InterpolateParams = true
	cfg.Timeout = 5 * time.Second
	cfg.ReadTimeout = 30 * time.Second
	cfg.WriteTimeout = 30 * time.Second
	cfg.Params = map[string]string{"sql_mode": "'TRADITIONAL'"}

	q := u.Query()
	if pool, err = sqlstore.TakePool(q); err != nil {
		return nil, pool, fmt.Errorf("mysql: %w", err)
	}
	if len(q) > 0 {
		// Let the driver read the remaining parameters, over our defaults.
		merged, err := gomysql.ParseDSN(cfg.FormatDSN() + sep(cfg.FormatDSN()) + q.Encode())
		if err != nil {
			return nil, pool, fmt.Errorf("mysql: url parameters: %w", err)
		}
		cfg = merged
	}
	return cfg, pool, nil
}

func sep(dsn string) string {
	if strings.Contains(dsn, "?") {
		return "&"
	}
	return "?"
}

package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/sqlite"
)

// openStore opens the backend a database URL names.
// An error names the setting and the file or server, since a driver's own ("unable to
// open database file (14)") names neither.
func openStore(ctx context.Context, url string) (store.Store, error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		dsn := strings.TrimPrefix(url, "sqlite:")
		s, err := sqlite.Open(ctx, dsn)
		if err != nil {
			path, _, _ := strings.Cut(dsn, "?")
			abs, _ := filepath.Abs(path)
			return nil, fmt.Errorf("NOTIFY_DATABASE_URL (-database-url): cannot open the SQLite database %s (the file and its folder must be writable by this user): %w", abs, err)
		}
		return s, nil
	case strings.HasPrefix(url, "mysql://"), isPostgres(url):
		open := mysql.Open
		if isPostgres(url) {
			open = postgres.Open
		}
		s, err := open(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("NOTIFY_DATABASE_URL (-database-url) %s: %w", redactURL(url), err)
		}
		return s, nil
	default:
		return nil, fmt.Errorf("NOTIFY_DATABASE_URL: %q is not sqlite:PATH, mysql://… or postgres://…", redactURL(url))
	}
}

// isPostgres reports whether a database URL names PostgreSQL.
func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// redactURL hides a password in a URL for error messages.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	creds, host, ok := strings.Cut(rest, "@")
	if !ok {
		return u
	}
	user, _, _ := strings.Cut(creds, ":")
	return scheme + "://" + user + ":***@" + host
}

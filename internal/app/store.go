package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/sqlite"
)

// openStore opens the backend a database URL names.
func openStore(ctx context.Context, url string) (store.Store, error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(url, "sqlite:"))
	case strings.HasPrefix(url, "mysql://"):
		return mysql.Open(ctx, url)
	case isPostgres(url):
		return postgres.Open(ctx, url)
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

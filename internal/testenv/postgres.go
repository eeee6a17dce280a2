package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/notifyd/notifyd/internal/store/postgres"
)

// DefaultPostgresServer is the PostgreSQL server tests use unless NOTIFY_TEST_POSTGRES_URL
// names another (postgres://user:pass@host:port/any-db; the database part is where the
// test databases are created from).
const DefaultPostgresServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PostgresURL creates a fresh, empty database (notifyd_test_<random>) on the test server
// and returns its postgres:// URL; the database is dropped when the test ends. When the
// server cannot be reached the test fails under CI and skips elsewhere (Require).
func PostgresURL(t testing.TB) string {
	t.Helper()
	server := os.Getenv("NOTIFY_TEST_POSTGRES_URL")
	if server == "" {
		server = DefaultPostgresServer
	}
	return CreatePostgresDB(t, server)
}

// CreatePostgresDB creates a fresh database on the server of serverURL, drops it when the
// test ends and returns its URL.
func CreatePostgresDB(t testing.TB, serverURL string) string {
	t.Helper()
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	cfg, _, err := postgres.ParseURL(serverURL)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	cfg.ConnectTimeout = 2 * time.Second
	admin, err := pgAdmin(cfg)
	Require(t, "PostgreSQL", err)
	defer admin.Close(context.Background())

	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "notifyd_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8'`); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := pgAdmin(cfg)
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer admin.Close(context.Background())
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// WITH (FORCE): a connection the test left open (a listener, a killed replica's
		// pool the server has not noticed yet) must not keep the database alive.
		if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func pgAdmin(cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return pgx.ConnectConfig(ctx, cfg)
}

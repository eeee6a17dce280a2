package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/notifyd/notifyd/internal/store/mysql"
)

// DefaultMySQLServer is the MariaDB/MySQL server tests use unless NOTIFY_TEST_MYSQL_URL
// names another (mysql://user:pass@host:port/any-db; the database part is ignored).
const DefaultMySQLServer = "mysql://root@127.0.0.1:3306/mysql"

// MySQLURL creates a fresh, empty database (notifyd_test_<random>) on the test server and
// returns its mysql:// URL; the database is dropped when the test ends. When the server
// cannot be reached the test fails under CI and skips elsewhere (Require).
func MySQLURL(t testing.TB) string {
	t.Helper()
	server := os.Getenv("NOTIFY_TEST_MYSQL_URL")
	if server == "" {
		server = DefaultMySQLServer
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("NOTIFY_TEST_MYSQL_URL: %v", err)
	}
	cfg, _, err := mysql.ParseURL(server)
	if err != nil {
		t.Fatalf("NOTIFY_TEST_MYSQL_URL: %v", err)
	}
	cfg.DBName = ""
	cfg.Timeout = 2 * time.Second
	admin, err := openAdmin(cfg)
	Require(t, "MariaDB", err)
	defer admin.Close()

	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "notifyd_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := openAdmin(cfg)
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func openAdmin(cfg *gomysql.Config) (*sql.DB, error) {
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

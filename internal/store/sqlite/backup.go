package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
)

// Backup writes a consistent copy of the SQLite database named by dsn to dest, while
// notifyd may be running on it: VACUUM INTO reads the database in one read transaction
// (a snapshot, which WAL mode lets the writer go on beside) and writes a compact new
// file, which PRAGMA integrity_check then reads through. dest must not exist; a copy
// that fails its check is removed.
func Backup(ctx context.Context, dsn, dest string) error {
	path, _, err := ParseDSN(dsn)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("sqlite backup: %w", err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("sqlite backup: %s exists; name a new file", dest)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sqlite backup: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("sqlite backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("sqlite backup: vacuum into %s: %w", dest, err)
	}
	if err := CheckIntegrity(ctx, dest); err != nil {
		os.Remove(dest)
		return err
	}
	return nil
}

// CheckIntegrity runs PRAGMA integrity_check on the SQLite file at path.
func CheckIntegrity(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?mode=ro")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("sqlite: integrity check of %s: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("sqlite: integrity check of %s: %s", path, res)
	}
	return nil
}

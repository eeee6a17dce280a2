package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "notify.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestParseDSN(t *testing.T) {
	for _, c := range []struct{ dsn, path, sync string }{
		{"data/notify.db", "data/notify.db", sqlite.SyncFull},
		{"data/notify.db?sync=full", "data/notify.db", sqlite.SyncFull},
		{"data/notify.db?sync=normal", "data/notify.db", sqlite.SyncNormal},
		{"/abs/path/notify.db?sync=normal", "/abs/path/notify.db", sqlite.SyncNormal},
	} {
		path, sync, err := sqlite.ParseDSN(c.dsn)
		if err != nil || path != c.path || sync != c.sync {
			t.Errorf("ParseDSN(%q) = %q, %q, %v; want %q, %q", c.dsn, path, sync, err, c.path, c.sync)
		}
	}
	for _, dsn := range []string{"", "?sync=normal", "x.db?sync=off", "x.db?sync=NORMAL", "x.db?sync=", "x.db?sync=full&sync=normal", "x.db?synchronous=normal", "x.db?sync=normal&cache=shared"} {
		if _, _, err := sqlite.ParseDSN(dsn); err == nil {
			t.Errorf("ParseDSN(%q): no error", dsn)
		}
	}
}

// The sync setting reaches the writer connection: PRAGMA synchronous is 2 (FULL) by
// default and 1 (NORMAL) with ?sync=normal; an unknown value opens nothing.
func TestOpenSync(t *testing.T) {
	for _, c := range []struct {
		query string
		want  int
	}{{"", 2}, {"?sync=full", 2}, {"?sync=normal", 1}} {
		path := filepath.Join(t.TempDir(), "notify.db")
		s, err := sqlite.Open(context.Background(), path+c.query)
		if err != nil {
			t.Fatalf("Open(%q): %v", c.query, err)
		}
		var got int
		if err := s.DB().QueryRow("PRAGMA synchronous").Scan(&got); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if got != c.want {
			t.Errorf("Open(%q): PRAGMA synchronous = %d, want %d", c.query, got, c.want)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("Open(%q): the file is not at %s: %v", c.query, path, err)
		}
	}
	dir := t.TempDir()
	if _, err := sqlite.Open(context.Background(), filepath.Join(dir, "notify.db?sync=off")); err == nil || !strings.Contains(err.Error(), "sync=off") {
		t.Fatalf("Open with sync=off: err = %v, want one naming sync=off", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Open with a bad sync value created %d files", len(entries))
	}
}

// TestStorePair runs the two-replica cases on two stores over one SQLite file.
func TestStorePair(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "notify.db")
		a, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sqlite.Open(context.Background(), path)
		if err != nil {
			a.Close()
			t.Fatal(err)
		}
		return a, b
	})
}

package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

// The writer never checkpoints (wal_autocheckpoint 0); the checkpointer copies committed
// pages into the database file from its own connection, while the store stays open.
// Without it, the file would not grow until the last connection closed.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	time.Sleep(600 * time.Millisecond) // the migrations' pages reach the file first
	before := size()
	var in []store.AcceptInput
	for i := range 2000 {
		in = append(in, storetest.Input(fmt.Sprintf("ck-%d", i), fmt.Sprintf("u%d", i)))
	}
	if _, err := s.Accept(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() <= before {
		if time.Now().After(deadline) {
			t.Fatalf("the database file is still %d bytes 10 s after a 2,000-event commit: nothing checkpointed the WAL", before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

package sqlite_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
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

// Under commits that follow each other without a pause, the PASSIVE checkpoints never
// catch up before the next commit begins, so SQLite alone would never start the WAL over
// (it grew to 1.5 GB in 20 s at 2,000 events/s). The checkpointer makes it start over once
// it is long: the WAL header's checkpoint sequence number (bytes 12–15), which SQLite
// increments each time the WAL is rewound, advances while the writes go on.
func TestCheckpointerRewindsTheWALUnderSteadyCommits(t *testing.T) {
	defer sqlite.SetRewindFrames(512)()
	dir := t.TempDir()
	path := filepath.Join(dir, "notify.db")
	s, err := sqlite.Open(context.Background(), path+"?sync=normal")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rewinds := func() uint32 {
		b, err := os.ReadFile(path + "-wal")
		if err != nil || len(b) < 16 {
			t.Fatalf("reading the WAL header: %v (%d bytes)", err, len(b))
		}
		return binary.BigEndian.Uint32(b[12:16])
	}
	if _, err := s.Accept(context.Background(), []store.AcceptInput{storetest.Input("rw-0", "u0")}); err != nil {
		t.Fatal(err)
	}
	first := rewinds()
	// Four writers keep the one writer connection busy: each commit begins as soon as the
	// last one ends, as under load.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var batches atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				var in []store.AcceptInput
				for i := range 20 {
					in = append(in, storetest.Input(fmt.Sprintf("rw-%d-%d-%d", w, n, i), fmt.Sprintf("u%d", (n*20+i)%5000)))
				}
				if _, err := s.Accept(ctx, in); err != nil && ctx.Err() == nil {
					t.Error(err)
					return
				}
				batches.Add(1)
			}
		})
	}
	deadline := time.Now().Add(20 * time.Second)
	for rewinds() < first+3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := rewinds() - first
	cancel()
	wg.Wait()
	if got < 3 {
		t.Fatalf("the WAL started over %d times in 20 s of back-to-back commits (%d batches of 20 events); want 3", got, batches.Load())
	}
}

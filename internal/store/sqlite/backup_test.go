package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

// A backup taken while events are being accepted is a database of its own: it passes
// the integrity check, opens as a store, and holds a gap-free prefix of what was
// accepted (every user's seqs 1..n, as many as had committed when the copy began).
func TestBackupWhileAccepting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "notify.db")
	s, err := sqlite.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var accepted atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Accept(ctx, []store.AcceptInput{storetest.Input(fmt.Sprintf("b-%d", i), "u1", "u2")}); err != nil {
				t.Error(err)
				return
			}
			accepted.Add(1)
		}
	})
	for accepted.Load() < 50 { // let some commits land first
		runtime.Gosched()
		if t.Failed() {
			break
		}
	}
	dest := filepath.Join(dir, "copy.db")
	err = sqlite.Backup(ctx, dsn, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlite.Backup(ctx, dsn, dest); err == nil {
		t.Error("a backup over an existing file: no error")
	}
	c, err := sqlite.Open(ctx, dest)
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	defer c.Close()
	for _, u := range []string{"u1", "u2"} {
		ns, err := c.NotificationsAfter(ctx, u, 0, 100000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) < 50 || int64(len(ns)) > accepted.Load() {
			t.Fatalf("the copy has %d notifications of %s; accepted %d, at least 50 before the copy", len(ns), u, accepted.Load())
		}
		for i, n := range ns {
			if n.Seq != int64(i+1) {
				t.Fatalf("copy: %s's notification %d has seq %d: not a consistent prefix", u, i, n.Seq)
			}
		}
	}
}

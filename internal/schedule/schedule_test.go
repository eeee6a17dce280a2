package schedule_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/schedule"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

type recorder struct {
	mu sync.Mutex
	ns []notify.Notification
}

func (r *recorder) Publish(_ context.Context, ns []notify.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ns = append(r.ns, ns...)
}

func (r *recorder) got() []notify.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notify.Notification(nil), r.ns...)
}

func backends(t *testing.T, fn func(t *testing.T, s store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "notify.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
	t.Run("mysql", func(t *testing.T) {
		s, err := mysql.Open(context.Background(), testenv.MySQLURL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		s, err := postgres.Open(context.Background(), testenv.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
}

// ReleaseNow publishes what it released, after the commit, in batches, and wakes the
// delivery workers; nothing before its time.
func TestReleaseNowPublishes(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		at := time.Now().Add(time.Hour)
		var ins []store.AcceptInput
		for _, key := range []string{"a", "b", "c", "d", "e"} {
			ins = append(ins, storetest.ScheduledInput(key, at, "u1"))
		}
		if _, err := s.Accept(ctx, ins); err != nil {
			t.Fatal(err)
		}
		clock := time.Now()
		pub, kicks := &recorder{}, 0
		r := schedule.New(s, schedule.Options{Publisher: pub, Delivered: func() { kicks++ }, Batch: 2, Now: func() time.Time { return clock }})
		if n, err := r.ReleaseNow(ctx); err != nil || n != 0 || len(pub.got()) != 0 {
			t.Fatalf("before sendAt: released %d, %v", n, err)
		}
		clock = at
		n, err := r.ReleaseNow(ctx)
		if err != nil || n != 5 {
			t.Fatalf("released %d, %v; want 5", n, err)
		}
		got := pub.got()
		for i, n := range got {
			if n.Seq != int64(i+1) {
				t.Fatalf("published seqs out of order: %+v", got)
			}
		}
		if kicks != 3 {
			t.Errorf("delivery workers woken %d times, want 3 (one per batch of 2)", kicks)
		}
	})
}

// Run releases on its own and stops when its context ends.
func TestRunStops(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "notify.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Accept(context.Background(), []store.AcceptInput{storetest.ScheduledInput("soon", time.Now().Add(50*time.Millisecond), "u1")}); err != nil {
		t.Fatal(err)
	}
	pub := &recorder{}
	released := make(chan struct{})
	var once sync.Once
	r := schedule.New(s, schedule.Options{Publisher: pub, Poll: 20 * time.Millisecond, Delivered: func() { once.Do(func() { close(released) }) }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	<-released
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := pub.got(); len(got) != 1 || got[0].EventID != "soon" {
		t.Fatalf("published %+v", got)
	}
}

package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// PairOpener returns two stores over one fresh database, each with its own connections,
// as two replicas of notifyd hold them.
type PairOpener func(t *testing.T) (a, b store.Store)

// RunPair runs the cases that need two replicas racing on one database.
func RunPair(t *testing.T, open PairOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, a, b store.Store)
	}{
		{"DigestRaceOpensOneWindow", testDigestRace},
		{"CancelRacesRelease", testCancelRacesRelease},
		{"TwoReleasersReleaseEachOnce", testTwoReleasers},
	}
	tests = append(tests, topicPairTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			t.Cleanup(func() { a.Close(); b.Close() })
			tc.fn(t, a, b)
		})
	}
}

// both runs fn on a and on b at once and waits.
func both(t *testing.T, a, b store.Store, fn func(s store.Store, replica int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []store.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(s, i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func testDigestRace(t *testing.T, a, b store.Store) {
	const each = 15
	w := 10 * time.Minute
	both(t, a, b, func(s store.Store, r int) error {
		for i := range each {
			// Each replica also redelivers one of the other's events.
			ins := []store.AcceptInput{DigestInput(fmt.Sprintf("q-%d-%d", r, i), "store-1", w, "owner")}
			if i == 0 {
				ins = append(ins, DigestInput(fmt.Sprintf("q-%d-0", 1-r), "store-1", w, "owner"))
			}
			if _, err := s.Accept(context.Background(), ins); err != nil {
				return err
			}
		}
		return nil
	})
	out := release(t, a, time.Now().Add(w+time.Second))
	if len(out) != 1 {
		t.Fatalf("released %d digests, want 1 window", len(out))
	}
	want := fmt.Sprintf("새 문의 %d건이 등록되었습니다.", 2*each)
	if out[0].Message != want {
		t.Fatalf("digest says %q, want %q", out[0].Message, want)
	}
}

func testCancelRacesRelease(t *testing.T, a, b store.Store) {
	ctx := context.Background()
	const n = 40
	at := time.Now().Add(time.Hour)
	for i := range n {
		accept(t, a, ScheduledInput(fmt.Sprintf("e%d", i), at, "u1"))
	}
	both(t, a, b, func(s store.Store, r int) error {
		if r == 0 {
			for {
				_, more, err := s.ReleaseDue(ctx, at, 3, store.Decide{})
				if err != nil || !more {
					return err
				}
			}
		}
		for i := n - 1; i >= 0; i-- {
			if _, err := s.CancelEvent(ctx, fmt.Sprintf("e%d", i), time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	released := 0
	for i := range n {
		st, err := a.EventStatus(ctx, fmt.Sprintf("e%d", i))
		if err != nil {
			t.Fatal(err)
		}
		p := st.Scheduled[0]
		switch {
		case p.Status == store.PendingReleased && len(st.Recipients) == 1 && p.NotificationID == st.Recipients[0].Notification.ID:
			released++
			if len(st.Recipients[0].Deliveries) != 1 || st.Recipients[0].Deliveries[0].Status != "cancelled" {
				t.Errorf("e%d released, then cancelled: its sms is %+v, want cancelled", i, st.Recipients[0].Deliveries)
			}
		case p.Status == store.PendingCancelled && len(st.Recipients) == 0:
		default:
			t.Errorf("e%d ended half released, half cancelled: %+v, %d notifications", i, p, len(st.Recipients))
		}
	}
	t.Logf("%d of %d released before their cancel", released, n)
	if rest := release(t, b, at); len(rest) != 0 {
		t.Errorf("released %d after every cancel", len(rest))
	}
	list, err := a.NotificationsAfter(ctx, "u1", 0, 2*n)
	if err != nil {
		t.Fatal(err)
	}
	checkGapFree(t, seqs(list), released)
}

func testTwoReleasers(t *testing.T, a, b store.Store) {
	ctx := context.Background()
	const events, users = 60, 4
	at := time.Now().Add(time.Hour)
	for i := range events {
		accept(t, a, ScheduledInput(fmt.Sprintf("e%d", i), at, fmt.Sprintf("u%d", i%users), "shared"))
	}
	var mu sync.Mutex
	seen := map[int64]bool{}
	both(t, a, b, func(s store.Store, _ int) error {
		for {
			out, more, err := s.ReleaseDue(ctx, at, 5, store.Decide{})
			if err != nil {
				return err
			}
			mu.Lock()
			for _, n := range out {
				if seen[n.ID] {
					mu.Unlock()
					return fmt.Errorf("notification %d released twice", n.ID)
				}
				seen[n.ID] = true
			}
			mu.Unlock()
			if !more && len(out) == 0 {
				return nil
			}
		}
	})
	if len(seen) != 2*events {
		t.Fatalf("released %d notifications, want %d", len(seen), 2*events)
	}
	for u := range users + 1 {
		user, want := fmt.Sprintf("u%d", u), events/users
		if u == users {
			user, want = "shared", events
		}
		list, err := a.NotificationsAfter(ctx, user, 0, 2*events)
		if err != nil {
			t.Fatal(err)
		}
		checkGapFree(t, seqs(list), want)
	}
}

func checkGapFree(t *testing.T, got []int64, n int) {
	t.Helper()
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if !slices.Equal(got, want) {
		t.Errorf("seqs = %v, want 1..%d", got, n)
	}
}

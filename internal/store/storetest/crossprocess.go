package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// ReplicaOpener opens two stores on one fresh database, each with its own connection
// pool, as two replicas of notifyd would; the test closes them.
type ReplicaOpener func(t *testing.T) (a, b store.Store)

// RunAcrossProcesses runs the cases of a store shared by several processes: exactly-once
// acceptance and claims, lease fencing, and a read on one replica skipping the escalated
// SMS the other would claim. Backends whose database serves more than one process
// (MySQL/MariaDB, PostgreSQL) run it.
func RunAcrossProcesses(t *testing.T, open ReplicaOpener) {
	t.Run("ExactlyOnce", func(t *testing.T) { exactlyOnce(t, open) })
	t.Run("LeaseFencing", func(t *testing.T) { leaseFencing(t, open) })
	t.Run("ReadCancelsEscalation", func(t *testing.T) { readCancelsEscalation(t, open) })
}

// exactlyOnce plays two replicas: two stores, each with its own connection pool, on one
// database. Both accept the same events (as when SQS redelivers
// a message to the other replica, or a producer retries against another one) and both
// claim SMS deliveries at once. Every recipient must get one notification per event with
// a gap-free sequence, and every delivery must be claimed by exactly one of them.
func exactlyOnce(t *testing.T, open ReplicaOpener) {
	ctx := context.Background()
	var replicas [2]store.Store
	replicas[0], replicas[1] = open(t)

	const events = 80
	inputs := make([]store.AcceptInput, events)
	for i := range inputs {
		// Everyone shares "hot"; the others meet a few events each.
		inputs[i] = Input(fmt.Sprintf("evt-%d", i), "hot", fmt.Sprintf("u%d", i%7), fmt.Sprintf("v%d", i%13))
	}

	// Four acceptors per replica, each accepting every event once, in its own order and
	// batch sizes.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for r := range replicas {
		for w := range 4 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(r), uint64(w)))
				order := rng.Perm(events)
				for lo := 0; lo < events; {
					hi := min(lo+1+rng.IntN(5), events)
					batch := make([]store.AcceptInput, 0, hi-lo)
					for _, i := range order[lo:hi] {
						batch = append(batch, inputs[i])
					}
					res, err := replicas[r].Accept(ctx, batch)
					if err != nil {
						errs <- fmt.Errorf("replica %d: accept: %w", r, err)
						return
					}
					for _, x := range res {
						if x.Err != nil || len(x.Notifications) != 3 {
							errs <- fmt.Errorf("replica %d: %s: %d notifications, err %v", r, x.Key, len(x.Notifications), x.Err)
							return
						}
					}
					lo = hi
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// One notification per recipient and event, gap-free per user.
	users := map[string]int{"hot": events}
	for i := range events {
		users[fmt.Sprintf("u%d", i%7)]++
		users[fmt.Sprintf("v%d", i%13)]++
	}
	for u, want := range users {
		got, err := replicas[0].NotificationsAfter(ctx, u, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Fatalf("%s has %d notifications, want %d", u, len(got), want)
		}
		seen := map[string]bool{}
		for i, n := range got {
			if n.Seq != int64(i+1) {
				t.Fatalf("%s: notification %d has seq %d: a gap or a repeat", u, i, n.Seq)
			}
			if seen[n.EventID] {
				t.Fatalf("%s got event %s twice", u, n.EventID)
			}
			seen[n.EventID] = true
		}
	}

	// Both replicas claim with three workers each until every delivery is taken.
	const deliveries = events * 3
	var claimed atomic.Int64
	var mu sync.Mutex
	by := map[int64]int{}    // delivery id → claims
	perReplica := [2]int64{} // claims per replica, for the log
	errs = make(chan error, 6)
	deadline := time.Now().Add(30 * time.Second)
	for r := range replicas {
		for range 3 {
			wg.Go(func() {
				for claimed.Load() < deliveries && time.Now().Before(deadline) {
					got, err := replicas[r].ClaimDeliveries(ctx, notify.ChannelSMS, time.Now(), time.Minute, 5)
					if err != nil {
						errs <- fmt.Errorf("replica %d: claim: %w", r, err)
						return
					}
					mu.Lock()
					for _, m := range got {
						by[m.DeliveryID]++
						perReplica[r]++
					}
					mu.Unlock()
					claimed.Add(int64(len(got)))
					for _, m := range got {
						if err := replicas[r].CompleteDelivery(ctx, m.DeliveryID, m.Attempt, store.Outcome{Status: notify.StatusSent}); err != nil {
							errs <- fmt.Errorf("replica %d: complete %d: %w", r, m.DeliveryID, err)
							return
						}
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("claims per replica: %v", perReplica)
	if len(by) != deliveries {
		t.Fatalf("claimed %d distinct deliveries, want %d", len(by), deliveries)
	}
	for id, n := range by {
		if n != 1 {
			t.Fatalf("delivery %d claimed %d times", id, n)
		}
	}
	if more, err := replicas[1].ClaimDeliveries(ctx, notify.ChannelSMS, time.Now().Add(time.Hour), time.Minute, 10); err != nil || len(more) != 0 {
		t.Fatalf("after all were sent, a claim got %d (%v), want none", len(more), err)
	}
}

// leaseFencing: a replica whose lease ran out (it stalled, or died
// after sending) loses the row to the other, and its late outcome is refused.
func leaseFencing(t *testing.T, open ReplicaOpener) {
	ctx := context.Background()
	a, b := open(t)
	if _, err := a.Accept(ctx, []store.AcceptInput{Input("lease", "u1")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	first, err := a.ClaimDeliveries(ctx, notify.ChannelSMS, now, time.Minute, 10)
	if err != nil || len(first) != 1 {
		t.Fatalf("a claimed %d (%v), want 1", len(first), err)
	}
	if held, err := b.ClaimDeliveries(ctx, notify.ChannelSMS, now.Add(30*time.Second), time.Minute, 10); err != nil || len(held) != 0 {
		t.Fatalf("b claimed %d (%v) while a's lease holds, want 0", len(held), err)
	}
	second, err := b.ClaimDeliveries(ctx, notify.ChannelSMS, now.Add(2*time.Minute), time.Minute, 10)
	if err != nil || len(second) != 1 || second[0].Attempt != first[0].Attempt+1 {
		t.Fatalf("b claimed %+v (%v) after the lease ran out, want attempt %d", second, err, first[0].Attempt+1)
	}
	if err := a.CompleteDelivery(ctx, first[0].DeliveryID, first[0].Attempt, store.Outcome{Status: notify.StatusSent}); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("a's late outcome: got %v, want ErrLeaseLost", err)
	}
	if err := b.CompleteDelivery(ctx, second[0].DeliveryID, second[0].Attempt, store.Outcome{Status: notify.StatusSent}); err != nil {
		t.Fatalf("b's outcome: %v", err)
	}
}

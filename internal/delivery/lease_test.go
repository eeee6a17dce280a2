package delivery_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/delivery"
	"github.com/notifyd/notifyd/internal/store"
)

// flakyStore fails some renewals and completions of the store it wraps.
type flakyStore struct {
	store.Store
	mu             sync.Mutex
	failRenew      bool // every RenewDelivery fails (the lease cannot be kept)
	failComplete   int  // the next n CompleteDelivery calls fail
	completeErrors int
	renewals       int
	leaseLost      []error // what CompleteDelivery answered ErrLeaseLost to
}

func (f *flakyStore) RenewDelivery(ctx context.Context, id int64, attempt int, until time.Time) error {
	f.mu.Lock()
	fail := f.failRenew
	f.renewals++
	f.mu.Unlock()
	if fail {
		return errors.New("database unreachable")
	}
	return f.Store.RenewDelivery(ctx, id, attempt, until)
}

func (f *flakyStore) CompleteDelivery(ctx context.Context, id int64, attempt int, o store.Outcome) error {
	f.mu.Lock()
	if f.failComplete > 0 {
		f.failComplete--
		f.completeErrors++
		f.mu.Unlock()
		return errors.New("database unreachable")
	}
	f.mu.Unlock()
	err := f.Store.CompleteDelivery(ctx, id, attempt, o)
	if errors.Is(err, store.ErrLeaseLost) {
		f.mu.Lock()
		f.leaseLost = append(f.leaseLost, err)
		f.mu.Unlock()
	}
	return err
}

// shortLease is short for a test, long enough that a loaded machine (a renewal every third
// of it) does not miss it.
const shortLease = time.Second

// A send that takes several leases keeps its row: a second worker polling all the while
// never claims it, and it is sent once, on attempt 1.
func TestLeaseRenewedWhileSending(t *testing.T) {
	st, _ := setup(t, 1)
	fs := &flakyStore{Store: st}
	slow := &sender{calls: map[int64]int{}, block: make(chan struct{}), began: make(chan struct{}, 1)}
	other := &sender{calls: map[int64]int{}}
	run(t, fs, delivery.Options{Sender: slow, Lease: shortLease})
	<-slow.began
	run(t, fs, delivery.Options{Sender: other, Lease: shortLease})
	<-time.After(4 * shortLease) // the lease would have run out four times over without renewal
	close(slow.block)
	d := waitStatus(t, st, "e0", notify.StatusSent)
	if d.Attempts != 1 || slow.count(d.ID) != 1 || other.count(d.ID) != 0 {
		t.Fatalf("attempts %d, slow worker %d sends, other %d; want 1, 1, 0", d.Attempts, slow.count(d.ID), other.count(d.ID))
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.renewals < 3 {
		t.Errorf("%d renewals during 4 leases, want at least 3", fs.renewals)
	}
}

// The store fails the first recordings for longer than a lease: the worker keeps renewing
// while it retries, so no other worker sends the message again.
func TestRecordRetriesUnderRenewedLease(t *testing.T) {
	st, _ := setup(t, 1)
	fs := &flakyStore{Store: st, failComplete: 5} // 100+200+400+800+1600 ms of retries: 3 leases
	first := &sender{calls: map[int64]int{}, began: make(chan struct{}, 1)}
	other := &sender{calls: map[int64]int{}}
	run(t, fs, delivery.Options{Sender: first, Lease: shortLease})
	<-first.began
	run(t, fs, delivery.Options{Sender: other, Lease: shortLease})
	d := waitStatus(t, st, "e0", notify.StatusSent)
	if d.Attempts != 1 || other.count(d.ID) != 0 {
		t.Fatalf("attempts %d, other worker sent %d; want 1 and 0", d.Attempts, other.count(d.ID))
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.completeErrors != 5 {
		t.Errorf("%d failed recordings, want 5", fs.completeErrors)
	}
}

// A worker that cannot renew (its store unreachable) loses the row when the lease runs
// out; another worker claims and sends it. The first worker's late outcome is refused
// (ErrLeaseLost) and does not overwrite the second claim's.
func TestLostLeaseNotRecordedOver(t *testing.T) {
	st, _ := setup(t, 1)
	cut := &flakyStore{Store: st, failRenew: true}
	stalled := &sender{calls: map[int64]int{}, block: make(chan struct{}), began: make(chan struct{}, 1),
		answer: func(notify.Message) error { return errors.New("late answer after a stall") }}
	other := &sender{calls: map[int64]int{}}
	run(t, cut, delivery.Options{Sender: stalled, Lease: shortLease})
	<-stalled.began
	healthy := &flakyStore{Store: st}
	run(t, healthy, delivery.Options{Sender: other, Lease: shortLease})
	d := waitStatus(t, st, "e0", notify.StatusSent)
	close(stalled.block) // the stalled send answers a transient error, to be recorded as a retry
	for {
		cut.mu.Lock()
		n := len(cut.leaseLost)
		cut.mu.Unlock()
		if n > 0 {
			break
		}
		<-time.After(10 * time.Millisecond)
	}
	// (The stalled worker may have claimed the row again meanwhile; its sends stall too.)
	after := status(t, st, "e0")
	if after.Status != notify.StatusSent || after.Attempts != d.Attempts || after.Attempts < 2 || after.ProviderID != d.ProviderID || other.count(d.ID) != 1 {
		t.Fatalf("after the stalled worker's late outcome: %+v (other sent %d), want the second claim's sent record", after, other.count(d.ID))
	}
}

// A shutdown whose grace period is over aborts a worker that cannot record an outcome (the
// store fails every write): Run returns at once instead of retrying for RecordFor, and the
// row stays claimed, to be sent again once its lease runs out.
func TestAbortEndsRecordRetries(t *testing.T) {
	st, _ := setup(t, 1)
	fs := &flakyStore{Store: st, failComplete: 1 << 30}
	s := &sender{calls: map[int64]int{}, began: make(chan struct{}, 1)}
	w := delivery.New(fs, delivery.Options{Sender: s, Lease: shortLease, RecordFor: time.Hour, Poll: 10 * time.Millisecond, CapPerRecipient: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	<-s.began
	for { // wait until recording has failed at least once
		fs.mu.Lock()
		n := fs.completeErrors
		fs.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned while an outcome was still unrecorded and not aborted")
	case <-time.After(300 * time.Millisecond):
	}
	w.Abort()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after Abort")
	}
	if d := status(t, st, "e0"); d.Status != notify.StatusSending {
		t.Fatalf("after abort the delivery is %s, want still sending (claimed, its lease to run out)", d.Status)
	}
}

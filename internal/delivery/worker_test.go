package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/delivery"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

// sender is a fake provider: it answers from a script per delivery attempt and counts.
type sender struct {
	mu     sync.Mutex
	calls  map[int64]int
	answer func(m notify.Message) error
	block  chan struct{} // when set, Send waits for it
	began  chan struct{}
}

func (s *sender) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	if s.began != nil {
		select { // the first send signals; later ones (a row claimed again) do not wait
		case s.began <- struct{}{}:
		default:
		}
	}
	if s.block != nil {
		<-s.block
	}
	s.mu.Lock()
	s.calls[m.DeliveryID]++
	s.mu.Unlock()
	if s.answer != nil {
		if err := s.answer(m); err != nil {
			return channel.Receipt{}, err
		}
	}
	return channel.Receipt{Provider: "fake", ProviderID: fmt.Sprintf("p-%d", m.DeliveryID)}, nil
}

func (s *sender) count(id int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[id]
}

func setup(t *testing.T, events int) (store.Store, []int64) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var in []store.AcceptInput
	for i := range events {
		in = append(in, storetest.Input(fmt.Sprintf("e%d", i), fmt.Sprintf("u%d", i)))
	}
	res, err := st.Accept(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var keys []int64
	for _, r := range res {
		keys = append(keys, r.Notifications[0].ID)
	}
	return st, keys
}

func run(t *testing.T, st store.Store, o delivery.Options) (stop func()) {
	t.Helper()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.Poll == 0 {
		o.Poll = 10 * time.Millisecond
	}
	if o.CapPerRecipient == 0 {
		o.CapPerRecipient = -1 // every test event goes to the same number
	}
	w := delivery.New(st, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// status returns the SMS delivery of event key.
func status(t *testing.T, st store.Store, key string) notify.Delivery {
	t.Helper()
	es, err := st.EventStatus(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return es.Recipients[0].Deliveries[0]
}

func waitStatus(t *testing.T, st store.Store, key string, want notify.DeliveryStatus) notify.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := status(t, st, key)
		if d.Status == want {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery of %s is %s (%+v), want %s", key, d.Status, d, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSendsAndRecords(t *testing.T) {
	st, _ := setup(t, 20)
	s := &sender{calls: map[int64]int{}}
	stop := run(t, st, delivery.Options{Sender: s, Concurrency: 4})
	for i := range 20 {
		d := waitStatus(t, st, fmt.Sprintf("e%d", i), notify.StatusSent)
		if d.Attempts != 1 || d.ProviderID != fmt.Sprintf("p-%d", d.ID) || d.Provider != "fake" || d.SentAt == nil {
			t.Fatalf("sent delivery %+v", d)
		}
	}
	stop()
	for id, n := range s.calls {
		if n != 1 {
			t.Fatalf("delivery %d sent %d times", id, n)
		}
	}
}

func TestTransientRetriedThenSent(t *testing.T) {
	st, _ := setup(t, 1)
	s := &sender{calls: map[int64]int{}}
	s.answer = func(m notify.Message) error {
		if m.Attempt < 3 {
			return channel.Transient("Throttling", errors.New("slow down"))
		}
		return nil
	}
	run(t, st, delivery.Options{Sender: s, BaseBackoff: 20 * time.Millisecond})
	d := waitStatus(t, st, "e0", notify.StatusSent)
	if d.Attempts != 3 || s.count(d.ID) != 3 {
		t.Fatalf("attempts %d, provider calls %d; want 3 and 3", d.Attempts, s.count(d.ID))
	}
	if d.LastError == "" {
		t.Errorf("the last transient error was not kept: %+v", d)
	}
}

func TestPermanentFailsAtOnce(t *testing.T) {
	st, _ := setup(t, 1)
	s := &sender{calls: map[int64]int{}, answer: func(notify.Message) error {
		return channel.Permanent("InvalidParameter", errors.New("invalid phone number"))
	}}
	run(t, st, delivery.Options{Sender: s, BaseBackoff: 10 * time.Millisecond})
	d := waitStatus(t, st, "e0", notify.StatusFailed)
	if d.Attempts != 1 || s.count(d.ID) != 1 {
		t.Fatalf("permanent failure tried %d times", s.count(d.ID))
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	st, _ := setup(t, 1)
	s := &sender{calls: map[int64]int{}, answer: func(notify.Message) error { return errors.New("connection reset") }}
	run(t, st, delivery.Options{Sender: s, BaseBackoff: 5 * time.Millisecond, MaxAttempts: 4})
	d := waitStatus(t, st, "e0", notify.StatusFailed)
	if d.Attempts != 4 || s.count(d.ID) != 4 {
		t.Fatalf("attempts %d calls %d, want 4", d.Attempts, s.count(d.ID))
	}
}

func TestPerRecipientCapSkips(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "cap.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var in []store.AcceptInput
	for i := range 5 {
		in = append(in, storetest.Input(fmt.Sprintf("c%d", i), "same-buyer")) // same phone number each time
	}
	if _, err := st.Accept(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	s := &sender{calls: map[int64]int{}}
	run(t, st, delivery.Options{Sender: s, Concurrency: 1, CapPerRecipient: 3, CapWindow: time.Hour})
	sent, skipped := 0, 0
	for i := range 5 {
		deadline := time.Now().Add(10 * time.Second)
		for {
			d := status(t, st, fmt.Sprintf("c%d", i))
			if d.Status == notify.StatusSent {
				sent++
				break
			}
			if d.Status == notify.StatusSkipped {
				skipped++
				if d.Reason != notify.ReasonCapped || d.LastError == "" {
					t.Errorf("skipped %+v, want reason capped with the detail in lastError", d)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("c%d still %s", i, d.Status)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if sent != 3 || skipped != 2 {
		t.Fatalf("sent %d skipped %d, want 3 and 2", sent, skipped)
	}
}

// Shutdown waits for a send in flight and records it; nothing is left "sending".
func TestShutdownFinishesInFlight(t *testing.T) {
	st, _ := setup(t, 1)
	s := &sender{calls: map[int64]int{}, block: make(chan struct{}), began: make(chan struct{}, 1)}
	stop := run(t, st, delivery.Options{Sender: s})
	<-s.began
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Run returned while a send was in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(s.block)
	<-stopped
	if d := status(t, st, "e0"); d.Status != notify.StatusSent {
		t.Fatalf("after shutdown the delivery is %s, want sent", d.Status)
	}
}

// Two workers on one store (as two replicas would be) never send one delivery twice.
func TestTwoWorkersNeverDoubleSend(t *testing.T) {
	st, _ := setup(t, 50)
	s := &sender{calls: map[int64]int{}}
	run(t, st, delivery.Options{Sender: s, Concurrency: 3})
	run(t, st, delivery.Options{Sender: s, Concurrency: 3})
	for i := range 50 {
		waitStatus(t, st, fmt.Sprintf("e%d", i), notify.StatusSent)
	}
	for id, n := range s.calls {
		if n != 1 {
			t.Fatalf("delivery %d sent %d times", id, n)
		}
	}
}

// A sender's skip (nothing to send to) is recorded skipped with its reason code and the
// error as detail, after one call.
func TestSkipRecordsReason(t *testing.T) {
	st, _ := setup(t, 1)
	s := &sender{calls: map[int64]int{}, answer: func(notify.Message) error {
		return channel.Skip(notify.ReasonNoSubscription, errors.New("no push subscription left"))
	}}
	run(t, st, delivery.Options{Sender: s})
	d := waitStatus(t, st, "e0", notify.StatusSkipped)
	if d.Reason != notify.ReasonNoSubscription || !strings.Contains(d.LastError, "no push subscription left") || s.count(d.ID) != 1 {
		t.Fatalf("skipped %+v after %d calls, want reason no_subscription with the detail, one call", d, s.count(d.ID))
	}
}

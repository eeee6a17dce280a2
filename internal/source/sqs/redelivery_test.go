package sqs

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/publish"
)

var errCrash = &notify.Error{Code: notify.CodeUnavailable, Message: "simulated crash"}

// The first handling commits and then fails before the delete (a crash between commit
// and ack). The redelivery finds the key: one notification, one SMS delivery, one push.
func TestFailureAfterCommitRedeliversOnce(t *testing.T) {
	e := newEnv(t, notify.DefaultRegistry())
	name, url := e.queue("orders", 1)
	ids, err := publish.NewSQS(e.client, url).Send(context.Background(), customerEvent("7", ""))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	failFirst := ingestFunc(func(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error) {
		res, err := e.svc.Accept(ctx, ins)
		if calls.Add(1) == 1 && err == nil {
			return nil, errCrash
		}
		return res, err
	})
	c := e.start(failFirst, Options{Queues: []string{name}})
	got := c.waitFinal(t, 1)
	if got[pending] != 1 || got[duplicate] != 1 {
		t.Fatalf("outcomes %v, want one retry then one duplicate", got)
	}
	st, err := e.store.EventStatus(context.Background(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Recipients) != 1 {
		t.Fatalf("%d notifications, want 1", len(st.Recipients))
	}
	sms := 0
	for _, d := range st.Recipients[0].Deliveries {
		if d.Channel == notify.ChannelSMS {
			sms++
		}
	}
	if sms != 1 {
		t.Errorf("%d SMS deliveries, want 1", sms)
	}
	if n := e.pushed.count(); n != 1 {
		t.Errorf("%d pushes, want 1", n)
	}
	if n := e.queueLength(url); n != 0 {
		t.Errorf("%d messages left, want 0", n)
	}
}

// A consumer stopped between receive and commit stores nothing and deletes nothing; the
// message comes back after its visibility timeout to the next consumer.
func TestStoppedBeforeCommitLosesNothing(t *testing.T) {
	e := newEnv(t, notify.DefaultRegistry())
	name, url := e.queue("orders", 1)
	ids, err := publish.NewSQS(e.client, url).Send(context.Background(), customerEvent("8", ""))
	if err != nil {
		t.Fatal(err)
	}
	inHand, kill := make(chan struct{}), make(chan struct{})
	var once sync.Once
	dying := ingestFunc(func(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error) {
		once.Do(func() { close(inHand) })
		<-kill // the process dies here: nothing reaches the store
		return nil, errCrash
	})
	first := e.start(dying, Options{Queues: []string{name}})
	select {
	case <-inHand:
	case <-time.After(10 * time.Second):
		t.Fatal("the message was never received")
	}
	close(kill)
	first.stop(t)
	if _, err := e.store.EventStatus(context.Background(), ids[0]); err == nil {
		t.Fatal("the event was stored by the stopped consumer")
	}
	if n := e.queueLength(url); n != 1 {
		t.Fatalf("%d messages on the queue, want 1", n)
	}

	second := e.start(e.svc, Options{Queues: []string{name}})
	if got := second.waitFinal(t, 1); got[accepted] != 1 {
		t.Fatalf("outcomes %v, want accepted", got)
	}
	if n := len(e.notificationsOf("8")); n != 1 {
		t.Errorf("%d notifications, want 1", n)
	}
}

// A transient failure (store down) deletes nothing and the message comes back.
func TestTransientFailureIsNotDeleted(t *testing.T) {
	e := newEnv(t, notify.DefaultRegistry())
	name, url := e.queue("orders", 1)
	if _, err := publish.NewSQS(e.client, url).Send(context.Background(), customerEvent("9", "")); err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	down.Store(true)
	flaky := ingestFunc(func(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error) {
		if down.Swap(false) {
			return nil, errCrash
		}
		return e.svc.Accept(ctx, ins)
	})
	c := e.start(flaky, Options{Queues: []string{name}})
	if got := c.waitFinal(t, 1); got[pending] != 1 || got[accepted] != 1 {
		t.Fatalf("outcomes %v, want one retry then accepted", got)
	}
}

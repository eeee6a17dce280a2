package sqs

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/publish"
)

// Shutdown while batches are in hand: polling stops, the batches finish and are
// deleted, Run returns, and the next consumer gets the rest. Every event is stored once.
func TestShutdownLosesNothing(t *testing.T) {
	e := newEnv(t, notify.DefaultRegistry())
	name, url := e.queue("orders", 1)
	const n = 40
	var evs []publish.NotificationData
	for i := range n {
		evs = append(evs, customerEvent(strconv.Itoa(1000+i), ""))
	}
	ids, err := publish.NewSQS(e.client, url).Send(context.Background(), evs...)
	if err != nil {
		t.Fatal(err)
	}

	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	gated := ingestFunc(func(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error) {
		once.Do(func() { close(started) })
		<-release
		return e.svc.Accept(ctx, ins)
	})
	first := e.start(gated, Options{Queues: []string{name}, Concurrency: 2})
	<-started
	first.cancel() // shutdown begins with a batch in hand
	close(release)
	first.stop(t)
	handled := 0
	for len(first.batches) > 0 {
		for _, o := range <-first.batches {
			if o != accepted {
				t.Errorf("outcome %v of a batch finished at shutdown, want accepted", outcomeNames[o])
			}
			handled++
		}
	}
	if handled == 0 || handled == n {
		t.Fatalf("%d messages handled before shutdown, want some but not all", handled)
	}
	if left := e.queueLength(url); left != n-handled {
		t.Errorf("%d messages left on the queue, want %d", left, n-handled)
	}

	second := e.start(e.svc, Options{Queues: []string{name}})
	second.waitFinal(t, n-handled)
	for _, id := range ids {
		st, err := e.store.EventStatus(context.Background(), id)
		if err != nil {
			t.Fatalf("event %s: %v", id, err)
		}
		if len(st.Recipients) != 1 {
			t.Errorf("event %s has %d notifications", id, len(st.Recipients))
		}
	}
	if left := e.queueLength(url); left != 0 {
		t.Errorf("%d messages left, want 0", left)
	}
}

// A batch in hand longer than the visibility timeout is kept invisible: no other poller
// gets it meanwhile. (goaws lacks ChangeMessageVisibilityBatch: this also runs the
// one-message-at-a-time fallback.)
func TestVisibilityExtendedWhileHandling(t *testing.T) {
	e := newEnv(t, notify.DefaultRegistry())
	name, url := e.queue("orders", 1)
	if _, err := publish.NewSQS(e.client, url).Send(context.Background(), customerEvent("31", "")); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	slow := ingestFunc(func(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error) {
		if calls.Add(1) == 1 {
			// Slower than the 1 s visibility timeout, several times over.
			select {
			case <-time.After(2500 * time.Millisecond):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return e.svc.Accept(ctx, ins)
	})
	reg := prometheus.NewRegistry()
	c := e.start(slow, Options{Queues: []string{name}, Pollers: 3, ExtendAfter: 300 * time.Millisecond, ExtendBy: time.Second, Metrics: reg})
	if got := c.waitFinal(t, 1); got[accepted] != 1 {
		t.Fatalf("outcomes %v, want accepted", got)
	}
	c.stop(t)
	if n := calls.Load(); n != 1 {
		t.Errorf("the message was handled %d times, want 1", n)
	}
	if n := counterValue(t, reg, "notifyd_sqs_visibility_extensions_total", name); n < 2 {
		t.Errorf("%v visibility extensions, want at least 2", n)
	}
}

func TestReadyAndMissingQueue(t *testing.T) {
	e := newEnv(t, notify.DefaultRegistry())
	src, err := New(e.goaws.Config, e.svc, Options{Queues: []string{"no-such-queue-" + strconv.Itoa(int(time.Now().UnixNano()))}, Protocol: ProtocolQuery, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Ready(context.Background()); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Ready before Run: %v, want ErrNotStarted", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := src.Run(ctx); err == nil || ctx.Err() != nil {
		t.Errorf("Run on a missing queue: %v (ctx %v), want an error at once", err, ctx.Err())
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, o := range []Options{
		{},
		{Queues: []string{"q"}, Protocol: "xml"},
		{Queues: []string{"q"}, WaitTime: 21 * time.Second},
	} {
		if _, err := New(aws.Config{}, ingestFunc(nil), o); err == nil {
			t.Errorf("New(%+v): no error", o)
		}
	}
}

package sqs

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/publish"
)

// gatedDeletes is the real client with every DeleteMessageBatch held until open closes.
type gatedDeletes struct {
	*sqs.Client
	open chan struct{}
}

func (g gatedDeletes) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	select {
	case <-g.open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Client.DeleteMessageBatch(ctx, in, optFns...)
}

// A batch gives its concurrency slot back once its outcome is committed, not when its
// delete is answered: with every delete held, more batches than Concurrency are received
// and committed (one more than the delete slots). Once the deletes go through, every
// message is deleted and stored once.
func TestDeleteDoesNotHoldTheReceiveSlot(t *testing.T) {
	e := newEnv(t, notify.DefaultRegistry())
	name, url := e.queue("slots", 30)
	const n = 60
	var evs []publish.NotificationData
	for i := range n {
		evs = append(evs, customerEvent(strconv.Itoa(3000+i), ""))
	}
	if _, err := publish.NewSQS(e.client, url).Send(context.Background(), evs...); err != nil {
		t.Fatal(err)
	}

	var committed atomic.Int64
	third := make(chan struct{})
	counting := ingestFunc(func(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error) {
		res, err := e.svc.Accept(ctx, ins)
		if err == nil && committed.Add(1) == 3 {
			close(third)
		}
		return res, err
	})
	gate := gatedDeletes{Client: NewClient(e.goaws.Config, ProtocolQuery), open: make(chan struct{})}
	const concurrency = 2
	c := e.start(counting, Options{Queues: []string{name}, Pollers: 1, Concurrency: concurrency, Client: gate})
	select {
	case <-third: // concurrency+1 batches committed while no delete was answered
	case <-time.After(20 * time.Second):
		t.Fatalf("%d batches committed with every delete held, want %d: the deletes hold the receive slots", committed.Load(), concurrency+1)
	}
	if left := e.queueLength(url); left != n {
		t.Errorf("%d messages on the queue before any delete, want %d", left, n)
	}
	close(gate.open)
	got := c.waitFinal(t, n)
	if got[accepted] != n {
		t.Errorf("outcomes %v, want %d accepted", got, n)
	}
	c.stop(t)
	if left := e.queueLength(url); left != 0 {
		t.Errorf("%d messages left, want 0", left)
	}
}

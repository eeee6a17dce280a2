// Package sqs consumes notifyd events from Amazon SQS queues (and SNS topics fanned out to
// them): it long-polls each queue, hands every received batch to ingest in one call,
// and deletes a message only once its outcome is committed — stored, already stored, or
// kept as rejected. Anything else is left on the queue to come back after its visibility
// timeout.
package sqs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/store"
)

// Ingester stores decoded events and keeps messages that can never be accepted:
// *ingest.Service.
type Ingester interface {
	Accept(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error)
	Reject(ctx context.Context, r store.Rejected) (int64, error)
}

var _ Ingester = (*ingest.Service)(nil)

// SourceName is the Rejected.Source of messages this package keeps; their Queue is the
// queue name.
const SourceName = "sqs"

// Source consumes the configured queues. Run it once.
type Source struct {
	o      Options
	api    API
	ingest Ingester
	log    *slog.Logger
	m      *metrics
	// slots bounds the batches received and not yet committed (Concurrency); deletes
	// bounds the batches committed whose delete has not been answered (Concurrency too).
	// A batch takes its delete slot before it gives back its work slot, so slow deletes
	// hold the receives back instead of piling up.
	slots   chan struct{}
	deletes chan struct{}

	// onBatch, when set (by tests), is called after each batch with its outcomes.
	onBatch func(queue string, outcomes []outcome)

	mu     sync.Mutex
	queues []*queue // resolved by Run; nil until then
	ready  readyCache
}

// New returns a Source over the queues in o, using an SQS client built from cfg (or
// o.Client). Events, and poison messages to keep, go to in. It does not touch the
// network until Run.
func New(cfg aws.Config, in Ingester, o Options) (*Source, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if in == nil {
		return nil, errors.New("sqs: an ingester is required")
	}
	api := o.Client
	if api == nil {
		api = NewClient(cfg, o.Protocol)
	}
	return &Source{
		o: o, api: api, ingest: in, log: o.Logger.With("source", SourceName),
		m: newMetrics(o.Metrics), slots: make(chan struct{}, o.Concurrency), deletes: make(chan struct{}, o.Concurrency),
	}, nil
}

// Run resolves the queues, then polls them until ctx ends. On shutdown it stops
// receiving, finishes the batches in hand (deleting what committed, within
// HandleTimeout), and returns nil; messages not finished come back to a consumer after
// their visibility timeout. It returns an error early only when a queue cannot be
// resolved (it does not exist, or SQS is unreachable until ctx ends).
func (s *Source) Run(ctx context.Context) error {
	qs, err := s.resolveAll(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	s.mu.Lock()
	s.queues = qs
	s.mu.Unlock()
	for _, q := range qs {
		s.log.Info("sqs: consuming", "queue", q.name, "fifo", q.fifo, "pollers", s.o.Pollers, "extend_after", q.extendAfter, "extend_by", q.extendBy)
	}

	var pollers, batches sync.WaitGroup
	for _, q := range qs {
		for range s.o.Pollers {
			pollers.Go(func() { s.poll(ctx, q, &batches) })
		}
	}
	pollers.Wait() // ctx ended: nothing new is received
	batches.Wait() // every batch in hand is finished
	s.log.Info("sqs: stopped")
	return nil
}

// poll receives batches from q until ctx ends, handing each to a goroutine tracked by
// batches. It holds a concurrency slot from before each receive until the batch's
// outcome is committed; the delete that follows runs on a delete slot, so the next
// receive does not wait for it.
func (s *Source) poll(ctx context.Context, q *queue, batches *sync.WaitGroup) {
	backoff := newBackoff(100*time.Millisecond, 10*time.Second)
	for {
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		msgs, err := s.receive(ctx, q)
		if err != nil {
			<-s.slots
			if ctx.Err() != nil {
				return
			}
			q.m.receiveErrors.Inc()
			s.log.Warn("sqs: receive failed", "queue", q.name, "err", err)
			if !backoff.wait(ctx) {
				return
			}
			continue
		}
		backoff.reset()
		if len(msgs) == 0 {
			<-s.slots
			continue
		}
		// The batch outlives ctx: shutdown finishes it instead of abandoning it.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.HandleTimeout)
		batches.Go(func() {
			defer cancel()
			s.handle(hctx, q, msgs)
		})
	}
}

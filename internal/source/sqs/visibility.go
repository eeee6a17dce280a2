package sqs

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// keepInvisible extends the visibility timeout of msgs while they are handled: first
// q.extendAfter after they were received, then every q.extendBy/2, each time to
// q.extendBy. The returned stop ends it and waits for an extension under way; it is
// safe to call more than once. It runs on a timer, not a goroutine of its own: almost
// every batch is done long before its first extension is due.
func (s *Source) keepInvisible(ctx context.Context, q *queue, msgs []types.Message, received time.Time) (stop func()) {
	var (
		mu      sync.Mutex
		stopped bool
		running sync.WaitGroup
		t       *time.Timer
	)
	mu.Lock()
	defer mu.Unlock()
	t = time.AfterFunc(max(q.extendAfter-time.Since(received), 0), func() {
		mu.Lock()
		if stopped || ctx.Err() != nil {
			mu.Unlock()
			return
		}
		running.Add(1)
		mu.Unlock()
		s.extend(ctx, q, msgs)
		mu.Lock()
		if !stopped {
			t.Reset(max(q.extendBy/2, 500*time.Millisecond))
		}
		mu.Unlock()
		running.Done()
	})
	return func() {
		mu.Lock()
		stopped = true
		t.Stop()
		mu.Unlock()
		running.Wait() // no extension starts once stopped is set
	}
}

func (s *Source) extend(ctx context.Context, q *queue, msgs []types.Message) {
	secs := int32(q.extendBy / time.Second)
	q.m.extended.Add(float64(len(msgs)))
	s.log.Info("sqs: batch still in hand, extending visibility", "queue", q.name, "messages", len(msgs), "seconds", secs)
	if !q.noBatchVisibility.Load() {
		entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, len(msgs))
		for i, m := range msgs {
			entries[i] = types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: secs}
		}
		out, err := s.api.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
		if err == nil {
			for _, f := range out.Failed {
				s.log.Warn("sqs: cannot extend visibility", "queue", q.name, "code", aws.ToString(f.Code), "err", aws.ToString(f.Message))
			}
			return
		}
		if ctx.Err() != nil {
			return
		}
		s.log.Info("sqs: ChangeMessageVisibilityBatch failed; extending one message at a time", "queue", q.name, "err", err)
		q.noBatchVisibility.Store(true)
	}
	for _, m := range msgs {
		_, err := s.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(q.url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: secs})
		if err != nil && ctx.Err() == nil {
			s.log.Warn("sqs: cannot extend visibility", "queue", q.name, "message_id", aws.ToString(m.MessageId), "err", err)
		}
	}
}

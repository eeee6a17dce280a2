package sqs

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/fault"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/telemetry"
)

// outcome is what became of one message.
type outcome int

const (
	pending   outcome = iota // not final: leave it on the queue
	accepted                 // its events were stored now
	duplicate                // its events were stored before (a redelivery)
	rejected                 // kept as rejected: it can never be accepted
)

var outcomeNames = [...]string{"retry", "accepted", "duplicate", "rejected"}

// item is one received message on its way through a batch.
type item struct {
	msg     types.Message
	trace   string
	body    Body
	first   int // index of its first input in the batch's inputs
	err     error
	outcome outcome
}

// handle takes one received batch to a final outcome where it can: decode each message,
// accept all their events in one ingest call (the committer groups it with the other
// batches waiting into one transaction), keep poison messages as rejected, then delete
// the messages whose outcome is committed. It gives back the batch's concurrency slot
// (taken by poll) once the outcomes are committed, before the delete.
func (s *Source) handle(ctx context.Context, q *queue, msgs []types.Message) {
	fault.Hit("sqs.after-receive")
	received := time.Now()
	q.m.received.Add(float64(len(msgs)))
	stop := s.keepInvisible(ctx, q, msgs, received)
	defer stop()

	items := make([]*item, len(msgs))
	var inputs []ingest.Input
	for i, m := range msgs {
		it := &item{msg: m, trace: messageAttribute(m, "traceparent")}
		items[i] = it
		s.observeAge(q, m, received)
		it.body, it.err = DecodeBody([]byte(aws.ToString(m.Body)))
		if it.err != nil {
			continue
		}
		if it.trace == "" {
			it.trace = it.body.TraceParent
		}
		it.first = len(inputs)
		for j, ev := range it.body.Events {
			inputs = append(inputs, ingest.Input{
				Event:       ev,
				FallbackKey: it.body.FallbackKey(aws.ToString(m.MessageId), j),
				Source:      SourceName + ":" + q.name,
				TraceParent: it.trace,
				ReceivedAt:  received,
			})
		}
	}

	if len(inputs) > 0 {
		results, err := s.ingest.Accept(ctx, inputs)
		if err != nil {
			// Nothing was stored. Leave the decodable messages to come back; poison ones
			// are still kept below if the store takes them.
			s.log.Warn("sqs: accept failed, messages will be redelivered", "queue", q.name, "messages", len(msgs), "err", err)
		} else {
			for _, it := range items {
				if it.err == nil {
					it.outcome, it.err = settle(results[it.first : it.first+len(it.body.Events)])
				}
			}
			fault.Hit("sqs.after-commit")
		}
	}

	for _, it := range items {
		if it.err != nil && it.outcome == pending && notify.Permanent(it.err) {
			s.reject(ctx, q, it)
		}
	}
	stop()
	s.deletes <- struct{}{} // a free delete slot first, then the work slot back
	<-s.slots
	s.deleteFinal(ctx, q, items)
	<-s.deletes
	q.m.batch.Observe(time.Since(received).Seconds())
	if s.onBatch != nil {
		outcomes := make([]outcome, len(items))
		for i, it := range items {
			outcomes[i] = it.outcome
		}
		s.onBatch(q.name, outcomes)
	}
}

// settle reduces a message's event results to its outcome: rejected if any event was
// refused (the others are stored, and a replay finds them as duplicates), duplicate if
// all were known, accepted otherwise.
func settle(results []ingest.Result) (outcome, error) {
	dup := true
	for _, r := range results {
		if r.Err != nil {
			return pending, r.Err
		}
		dup = dup && r.Duplicate
	}
	if dup {
		return duplicate, nil
	}
	return accepted, nil
}

// reject keeps a poison message (through ingest); only then is it final and deleted.
func (s *Source) reject(ctx context.Context, q *queue, it *item) {
	count, _ := strconv.Atoi(it.msg.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	var field string
	var ne *notify.Error
	if errors.As(it.err, &ne) {
		field = ne.Field
	}
	_, err := s.ingest.Reject(ctx, store.Rejected{
		Source:       SourceName,
		Queue:        q.name,
		MessageID:    aws.ToString(it.msg.MessageId),
		Body:         aws.ToString(it.msg.Body),
		Code:         string(notify.ErrorCode(it.err)),
		Reason:       it.err.Error(),
		ReceiveCount: max(count, 1),
	})
	if err != nil {
		s.log.Warn("sqs: cannot keep rejected message, it will be redelivered", "queue", q.name, "message_id", aws.ToString(it.msg.MessageId), "err", err)
		return
	}
	it.outcome = rejected
	s.log.WarnContext(telemetry.ContextWithTraceParent(ctx, it.trace), "sqs: message rejected", "queue", q.name, "message_id", aws.ToString(it.msg.MessageId),
		"code", notify.ErrorCode(it.err), "field", field, "receive_count", max(count, 1))
}

func messageAttribute(m types.Message, name string) string {
	if a, ok := m.MessageAttributes[name]; ok {
		return aws.ToString(a.StringValue)
	}
	return ""
}

func (s *Source) observeAge(q *queue, m types.Message, received time.Time) {
	sent, err := strconv.ParseInt(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64)
	if err != nil || sent <= 0 {
		return
	}
	q.m.age.Observe(max(received.Sub(time.UnixMilli(sent)).Seconds(), 0))
}

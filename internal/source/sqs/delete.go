package sqs

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// deleteFinal deletes, in one batch call, the messages whose outcome is committed, and
// counts every outcome. A message whose delete fails comes back and is then found a
// duplicate (or rejected again, which the store keeps once).
func (s *Source) deleteFinal(ctx context.Context, q *queue, items []*item) {
	var entries []types.DeleteMessageBatchRequestEntry
	for i, it := range items {
		s.log.Debug("sqs: message handled", "queue", q.name, "message_id", aws.ToString(it.msg.MessageId),
			"outcome", outcomeNames[it.outcome], "traceparent", it.trace)
		switch it.outcome {
		case accepted:
			s.m.accepted.WithLabelValues(q.name).Inc()
		case duplicate:
			s.m.duplicates.WithLabelValues(q.name).Inc()
		case rejected:
			s.m.rejected.WithLabelValues(q.name).Inc()
		default:
			s.m.retried.WithLabelValues(q.name).Inc()
			continue
		}
		entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: it.msg.ReceiptHandle})
	}
	if len(entries) == 0 {
		return
	}
	out, err := s.api.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
	if err != nil {
		s.log.Warn("sqs: delete failed; the messages will come back as duplicates", "queue", q.name, "messages", len(entries), "err", err)
		return
	}
	for _, f := range out.Failed {
		s.log.Warn("sqs: delete failed; the message will come back as a duplicate", "queue", q.name, "code", aws.ToString(f.Code), "err", aws.ToString(f.Message))
	}
	s.m.deleted.WithLabelValues(q.name).Add(float64(len(entries) - len(out.Failed)))
}

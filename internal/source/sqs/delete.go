package sqs

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// deleteFinal deletes, in one batch call, the messages whose outcome is committed, and
// counts every outcome. A message whose delete fails comes back and is then found a
// duplicate (or rejected again, which the store keeps once).
func (s *Source) deleteFinal(ctx context.Context, q *queue, items []*item) {
	entries := make([]types.DeleteMessageBatchRequestEntry, 0, len(items))
	debug := s.log.Enabled(ctx, slog.LevelDebug) // skip building ten records nobody keeps
	for i, it := range items {
		if debug {
			s.log.DebugContext(ctx, "sqs: message handled", "queue", q.name, "message_id", aws.ToString(it.msg.MessageId),
				"outcome", outcomeNames[it.outcome], "traceparent", it.trace)
		}
		switch it.outcome {
		case accepted:
			q.m.accepted.Inc()
		case duplicate:
			q.m.duplicates.Inc()
		case rejected:
			q.m.rejected.Inc()
		default:
			q.m.retried.Inc()
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
	q.m.deleted.Add(float64(len(entries) - len(out.Failed)))
}

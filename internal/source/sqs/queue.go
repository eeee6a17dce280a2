package sqs

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// queue is one resolved queue.
type queue struct {
	name        string
	url         string
	fifo        bool
	extendAfter time.Duration
	extendBy    time.Duration
	m           *queueMetrics
	// noBatchVisibility is set once ChangeMessageVisibilityBatch failed as a whole
	// (servers such as goaws lack it); extensions then go one message at a time.
	noBatchVisibility atomic.Bool
}

func (s *Source) resolveAll(ctx context.Context) ([]*queue, error) {
	var qs []*queue
	seen := map[string]bool{}
	for _, ref := range s.o.Queues {
		ref = strings.TrimSpace(ref)
		if ref == "" || seen[ref] {
			continue
		}
		seen[ref] = true
		q, err := s.resolve(ctx, ref)
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	if len(qs) == 0 {
		return nil, errors.New("sqs: no queues")
	}
	return qs, nil
}

// resolve turns a queue name or URL into a queue, retrying while SQS is unreachable. A
// queue that does not exist is an error at once: the configuration is wrong.
func (s *Source) resolve(ctx context.Context, ref string) (*queue, error) {
	q := &queue{name: ref, url: ref}
	if isURL(ref) {
		u, _ := url.Parse(ref)
		q.name = path.Base(u.Path)
	}
	q.m = s.m.forQueue(q.name)
	q.fifo = strings.HasSuffix(q.name, ".fifo")
	backoff := newBackoff(200*time.Millisecond, 15*time.Second)
	for {
		err := s.lookup(ctx, q)
		if err == nil {
			return q, nil
		}
		var missing *types.QueueDoesNotExist
		if errors.As(err, &missing) || ctx.Err() != nil {
			return nil, fmt.Errorf("sqs: queue %s: %w", ref, err)
		}
		s.log.Warn("sqs: cannot reach queue, retrying", "queue", q.name, "err", err)
		if !backoff.wait(ctx) {
			return nil, fmt.Errorf("sqs: queue %s: %w", ref, err)
		}
	}
}

func (s *Source) lookup(ctx context.Context, q *queue) error {
	if !isURL(q.url) {
		out, err := s.api.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q.name)})
		if err != nil {
			return err
		}
		q.url = aws.ToString(out.QueueUrl)
	}
	out, err := s.api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(q.url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameVisibilityTimeout},
	})
	if err != nil {
		return err
	}
	visibility := 30 * time.Second
	if v, err := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameVisibilityTimeout)]); err == nil && v > 0 {
		visibility = time.Duration(v) * time.Second
	}
	q.extendAfter, q.extendBy = s.o.ExtendAfter, s.o.ExtendBy
	if q.extendAfter <= 0 {
		q.extendAfter = visibility / 2
	}
	if q.extendBy <= 0 {
		q.extendBy = visibility
	}
	q.extendBy = max(q.extendBy.Round(time.Second), time.Second)
	return nil
}

func isURL(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") }

// Attributes a receive asks for: only those the source reads (the producer's trace
// context; the send time for the age metric; the receive count kept with a rejected
// message). Asking for "All" makes SQS send, and the SDK parse and checksum, every
// attribute of every message.
var (
	receiveAttributes       = []string{"traceparent"}
	receiveSystemAttributes = []types.MessageSystemAttributeName{
		types.MessageSystemAttributeNameSentTimestamp,
		types.MessageSystemAttributeNameApproximateReceiveCount,
	}
)

// receive long-polls q for up to 10 messages, with the attributes the source reads.
func (s *Source) receive(ctx context.Context, q *queue) ([]types.Message, error) {
	out, err := s.api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(q.url),
		MaxNumberOfMessages:         10,
		WaitTimeSeconds:             int32(s.o.WaitTime / time.Second),
		MessageAttributeNames:       receiveAttributes,
		MessageSystemAttributeNames: receiveSystemAttributes,
	})
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}

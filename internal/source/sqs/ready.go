package sqs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

type readyCache struct {
	at  time.Time
	err error
}

// ErrNotStarted is Ready's answer before Run has resolved the queues.
var ErrNotStarted = errors.New("sqs: queues not resolved yet")

// Ready reports whether every queue answers (GetQueueAttributes), for /readyz. Answers
// are cached for Options.ReadyTTL so a busy probe does not become SQS traffic.
func (s *Source) Ready(ctx context.Context) error {
	s.mu.Lock()
	qs, cached := s.queues, s.ready
	s.mu.Unlock()
	if qs == nil {
		return ErrNotStarted
	}
	if !cached.at.IsZero() && time.Since(cached.at) < s.o.ReadyTTL {
		return cached.err
	}
	var err error
	for _, q := range qs {
		_, e := s.api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl:       aws.String(q.url),
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages},
		})
		if e != nil {
			err = fmt.Errorf("sqs: queue %s: %w", q.name, e)
			break
		}
	}
	if ctx.Err() == nil { // a probe that gave up says nothing about SQS
		s.mu.Lock()
		s.ready = readyCache{at: time.Now(), err: err}
		s.mu.Unlock()
	}
	return err
}

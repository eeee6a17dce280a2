package publish

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SNSAPI is the part of *sns.Client the SNS sender uses.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var _ SNSAPI = (*sns.Client)(nil)

// SNS sends events to one SNS topic, which fans them out to every subscribed queue
// (notifyd's among them). With raw message delivery off, notifyd unwraps the envelope.
type SNS struct {
	client   SNSAPI
	topicARN string
	fifo     bool
	o        options
}

// NewSNS returns a sender to the topic topicARN. A FIFO topic (ARN ending in ".fifo")
// gets a MessageGroupId (see WithGroupID) and the eventId as MessageDeduplicationId.
func NewSNS(client SNSAPI, topicARN string, opts ...Option) *SNS {
	return &SNS{client: client, topicARN: topicARN, fifo: isFIFO(topicARN), o: buildOptions(opts)}
}

// Send publishes each event and returns their eventIds in order. When some were not
// published the error is a *BatchError naming them; the others were.
func (s *SNS) Send(ctx context.Context, events ...NotificationData) ([]string, error) {
	events, bodies, err := prepare(events)
	if err != nil {
		return nil, err
	}
	ids := eventIDs(events)
	var attrs map[string]types.MessageAttributeValue
	if tp := s.o.traceParent(ctx); tp != "" {
		attrs = map[string]types.MessageAttributeValue{TraceParentAttribute: {DataType: aws.String("String"), StringValue: aws.String(tp)}}
	}
	var failed []Failure
	for i := range events {
		in := &sns.PublishInput{TopicArn: aws.String(s.topicARN), Message: aws.String(string(bodies[i])), MessageAttributes: attrs}
		if s.fifo {
			in.MessageGroupId = aws.String(fifoID(s.o.groupID(events[i])))
			in.MessageDeduplicationId = aws.String(fifoID(ids[i]))
		}
		if _, err := s.client.Publish(ctx, in); err != nil {
			if len(events) == 1 {
				return ids, fmt.Errorf("publish: sns publish: %w", err)
			}
			failed = append(failed, Failure{Index: i, EventID: ids[i], Err: fmt.Errorf("sns publish: %w", err)})
			if ctx.Err() != nil {
				for j := i + 1; j < len(events); j++ {
					failed = append(failed, Failure{Index: j, EventID: ids[j], Err: ctx.Err()})
				}
				break
			}
		}
	}
	if len(failed) > 0 {
		return ids, &BatchError{Failed: failed}
	}
	return ids, nil
}

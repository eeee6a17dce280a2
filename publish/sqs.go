package publish

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSAPI is the part of *sqs.Client the SQS sender uses.
type SQSAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

var _ SQSAPI = (*sqs.Client)(nil)

// SQS sends events to one SQS queue.
type SQS struct {
	client   SQSAPI
	queueURL string
	fifo     bool
	o        options
}

// NewSQS returns a sender to the queue at queueURL. A queue whose URL ends in ".fifo"
// gets a MessageGroupId (see WithGroupID) and the eventId as MessageDeduplicationId.
func NewSQS(client SQSAPI, queueURL string, opts ...Option) *SQS {
	return &SQS{client: client, queueURL: queueURL, fifo: isFIFO(queueURL), o: buildOptions(opts)}
}

// Send sends events, one SendMessage for a single event and SendMessageBatch in chunks
// of 10 otherwise, and returns their eventIds in order. When some were not sent the
// error is a *BatchError naming them; the others were sent.
func (s *SQS) Send(ctx context.Context, events ...NotificationData) ([]string, error) {
	events, bodies, err := prepare(events)
	if err != nil {
		return nil, err
	}
	ids := eventIDs(events)
	attrs := s.attributes(ctx)
	if len(events) == 1 {
		in := &sqs.SendMessageInput{QueueUrl: aws.String(s.queueURL), MessageBody: aws.String(string(bodies[0])), MessageAttributes: attrs}
		if s.fifo {
			in.MessageGroupId = aws.String(fifoID(s.o.groupID(events[0])))
			in.MessageDeduplicationId = aws.String(fifoID(ids[0]))
		}
		if _, err := s.client.SendMessage(ctx, in); err != nil {
			return ids, fmt.Errorf("publish: sqs send: %w", err)
		}
		return ids, nil
	}
	var failed []Failure
	for start := 0; start < len(events); start += 10 {
		end := min(start+10, len(events))
		in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(s.queueURL)}
		for i := start; i < end; i++ {
			e := types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(bodies[i])), MessageAttributes: attrs}
			if s.fifo {
				e.MessageGroupId = aws.String(fifoID(s.o.groupID(events[i])))
				e.MessageDeduplicationId = aws.String(fifoID(ids[i]))
			}
			in.Entries = append(in.Entries, e)
		}
		out, err := s.client.SendMessageBatch(ctx, in)
		if err != nil {
			for i := start; i < end; i++ {
				failed = append(failed, Failure{Index: i, EventID: ids[i], Err: fmt.Errorf("sqs send batch: %w", err)})
			}
			continue
		}
		for _, f := range out.Failed {
			i, _ := strconv.Atoi(aws.ToString(f.Id))
			failed = append(failed, Failure{Index: i, EventID: ids[i], Code: aws.ToString(f.Code), Message: aws.ToString(f.Message)})
		}
	}
	if len(failed) > 0 {
		return ids, &BatchError{Failed: failed}
	}
	return ids, nil
}

func (s *SQS) attributes(ctx context.Context) map[string]types.MessageAttributeValue {
	tp := s.o.traceParent(ctx)
	if tp == "" {
		return nil
	}
	return map[string]types.MessageAttributeValue{TraceParentAttribute: {DataType: aws.String("String"), StringValue: aws.String(tp)}}
}

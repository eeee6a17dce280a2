package publish_test

import (
	"context"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// recordingSQS records what a sender asked of SQS; failIDs makes those batch entries fail.
type recordingSQS struct {
	mu      sync.Mutex
	single  []*sqs.SendMessageInput
	batches []*sqs.SendMessageBatchInput
	failIDs map[string]bool
}

func (r *recordingSQS) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.single = append(r.single, in)
	return &sqs.SendMessageOutput{MessageId: aws.String("m-" + strconv.Itoa(len(r.single)))}, nil
}

func (r *recordingSQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, in)
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		if r.failIDs[aws.ToString(e.Id)] {
			out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InternalError"), Message: aws.String("try again"), SenderFault: false})
			continue
		}
		out.Successful = append(out.Successful, types.SendMessageBatchResultEntry{Id: e.Id, MessageId: aws.String("m-" + aws.ToString(e.Id))})
	}
	return out, nil
}

type recordingSNS struct {
	mu  sync.Mutex
	ins []*sns.PublishInput
}

func (r *recordingSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ins = append(r.ins, in)
	return &sns.PublishOutput{MessageId: aws.String("sns-" + strconv.Itoa(len(r.ins)))}, nil
}

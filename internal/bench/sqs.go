package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/notifyd/notifyd/internal/goaws"
)

// SQS is the bench's SQS side: an in-process goaws (the one the tests use) with two
// queues. Queue 1 is the one notifyd consumes; queue 2 gets the same events for the raw
// receive+delete loop that notifyd is compared with, in the same run and the same goaws.
type SQS struct {
	Endpoint  string
	NotifyURL string // queue 1: notifyd's NOTIFY_SQS_QUEUES
	RawURL    string // queue 2: the raw loop's
	Protocol  string // ProtocolQuery (goaws) or ProtocolJSON
	// notVisibleApart: the server counts received, undeleted messages in
	// ApproximateNumberOfMessagesNotVisible only (as AWS does), not in
	// ApproximateNumberOfMessages (as goaws does); a drain's queue is empty when both are 0.
	notVisibleApart bool
	client          *sqs.Client
	rawPollers      int
	// SNSWrapped, when set, sends every event wrapped in the envelope SNS writes to a
	// subscribed queue without raw delivery (to both queues, so both sides move the same
	// bytes).
	SNSWrapped bool
}

// StartSQS starts goaws on a free loopback port and creates the two queues. Stop it with
// StopSQS when the run is over.
// visibility is the queues' VisibilityTimeout: how long a received message that was not
// deleted stays hidden.
func StartSQS(ctx context.Context, pollers int, visibility time.Duration) (*SQS, error) {
	g, err := goaws.Start()
	if err != nil {
		return nil, err
	}
	s := &SQS{Endpoint: g.URL, Protocol: ProtocolQuery, client: g.SQS(), rawPollers: max(pollers, 1)}
	if err := s.createQueues(ctx, visibility); err != nil {
		goaws.Stop()
		return nil, fmt.Errorf("goaws: %w", err)
	}
	return s, nil
}

// StopSQS stops the in-process goaws.
func StopSQS() { goaws.Stop() }

// Env is what a spawned notifyd needs to consume queue 1 of this goaws.
func (s *SQS) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.Endpoint,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=goaws",
		"AWS_SECRET_ACCESS_KEY=goaws",
		"NOTIFY_SQS_QUEUES=" + s.NotifyURL,
		"NOTIFY_SQS_PROTOCOL=" + s.Protocol,
		"NOTIFY_SQS_WAIT=1s",
		"NOTIFY_SQS_POLLERS=" + strconv.Itoa(s.rawPollers),
	}
}

// Publish returns a Config.Publish that sends each body as one message to queueURL,
// with SendMessageBatch, 10 per call.
func (s *SQS) Publish(queueURL string) func(ctx context.Context, bodies [][]byte) error {
	return func(ctx context.Context, bodies [][]byte) error {
		for lo := 0; lo < len(bodies); lo += 10 {
			hi := min(lo+10, len(bodies))
			entries := make([]types.SendMessageBatchRequestEntry, 0, hi-lo)
			for i := lo; i < hi; i++ {
				body := string(bodies[i])
				if s.SNSWrapped {
					body = snsEnvelope(body, i)
				}
				entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(body)})
			}
			out, err := s.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
			if err != nil {
				return fmt.Errorf("SendMessageBatch: %w", err)
			}
			if len(out.Failed) > 0 {
				return fmt.Errorf("SendMessageBatch: %d of %d failed, first: %s", len(out.Failed), len(entries), aws.ToString(out.Failed[0].Message))
			}
		}
		return nil
	}
}

var envelopeSeq atomic.Int64

// snsEnvelope wraps body as SNS does for a queue subscribed without raw delivery.
func snsEnvelope(body string, i int) string {
	b, _ := json.Marshal(map[string]string{
		"Type": "Notification", "MessageId": fmt.Sprintf("sns-%d-%d-%d", time.Now().UnixNano(), envelopeSeq.Add(1), i),
		"TopicArn": "arn:aws:sns:us-east-1:" + goaws.Account + ":notify-bench", "Message": body,
		"Timestamp": time.Now().UTC().Format(time.RFC3339Nano), "SignatureVersion": "1",
	})
	return string(b)
}

// Baseline is the raw loop over queue 2, for Config.Baseline.
func (s *SQS) Baseline() *Baseline {
	return &Baseline{Name: "raw SQS receive(10)+DeleteMessageBatch", Publish: s.Publish(s.RawURL), Consume: func(ctx context.Context, n int) (int64, time.Time, error) {
		return s.rawLoop(ctx, s.RawURL, n, true)
	}}
}

// rawLoop runs s.rawPollers loops of ReceiveMessage (10, the same 1 s long poll as
// notifyd's) then DeleteMessageBatch of what came on queueURL, until n messages were
// deleted or ctx ends. With attributes it asks for every message and system attribute,
// as notifyd did in round one; without, for none (the plainest consumer). It returns how
// many were deleted and when the last delete answered.
func (s *SQS) rawLoop(ctx context.Context, queueURL string, n int, attributes bool) (int64, time.Time, error) {
	var deleted counter
	var mu sync.Mutex
	var last time.Time
	var firstErr error
	var wg sync.WaitGroup
	for range s.rawPollers {
		wg.Go(func() {
			for ctx.Err() == nil && deleted.Load() < int64(n) {
				in := &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1}
				if attributes {
					in.MessageAttributeNames = []string{"All"}
					in.MessageSystemAttributeNames = []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}
				}
				out, err := s.client.ReceiveMessage(ctx, in)
				if err == nil && len(out.Messages) > 0 {
					entries := make([]types.DeleteMessageBatchRequestEntry, len(out.Messages))
					for i, m := range out.Messages {
						entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
					}
					var dout *sqs.DeleteMessageBatchOutput
					if dout, err = s.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries}); err == nil {
						deleted.Add(int64(len(entries) - len(dout.Failed)))
						mu.Lock()
						last = time.Now()
						mu.Unlock()
					}
				}
				if err != nil && ctx.Err() == nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					time.Sleep(100 * time.Millisecond) // bounded by ctx and the count
				}
			}
		})
	}
	wg.Wait()
	if firstErr == nil && deleted.Load() < int64(n) {
		firstErr = errors.New("raw loop: time ran out")
	}
	return deleted.Load(), last, firstErr
}

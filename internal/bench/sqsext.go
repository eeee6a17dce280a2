package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/notifyd/notifyd/internal/awsbody"
	"github.com/notifyd/notifyd/internal/goaws"
)

// SQS protocols the bench's clients can speak (notifyd's NOTIFY_SQS_PROTOCOL values).
const (
	ProtocolQuery = "query" // goaws
	ProtocolJSON  = "json"  // AWS today, and emulators that follow it (fauxqs)
)

// sqsClient returns an SQS client for cfg speaking protocol, its HTTP client through
// awsbody as notifyd's own.
func sqsClient(cfg aws.Config, protocol string) *sqs.Client {
	if protocol == ProtocolQuery {
		return goaws.QueryClient(cfg)
	}
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.HTTPClient = awsbody.Wrap(o.HTTPClient) })
}

// localConfig is the configuration of a client for an SQS-compatible server at endpoint
// (static credentials: local servers take any).
func localConfig(endpoint string) aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("goaws", "goaws", ""), BaseEndpoint: aws.String(endpoint)}
}

// ConnectSQS is StartSQS against an SQS-compatible server already running at endpoint
// (say, an emulator started by hand), speaking protocol: it creates the two queues
// there. Stop nothing afterwards; the queues are left to the server.
func ConnectSQS(ctx context.Context, endpoint, protocol string, pollers int, visibility time.Duration) (*SQS, error) {
	switch protocol {
	case ProtocolQuery, ProtocolJSON:
	default:
		return nil, fmt.Errorf("sqs protocol %q: want %s or %s", protocol, ProtocolQuery, ProtocolJSON)
	}
	s := &SQS{Endpoint: endpoint, Protocol: protocol, client: sqsClient(localConfig(endpoint), protocol), rawPollers: max(pollers, 1), notVisibleApart: true}
	if err := s.createQueues(ctx, visibility); err != nil {
		return nil, fmt.Errorf("%s: %w", endpoint, err)
	}
	return s, nil
}

// createQueues creates queue 1 (notifyd's) and queue 2 (the raw loop's), named for this
// run, with the given VisibilityTimeout.
func (s *SQS) createQueues(ctx context.Context, visibility time.Duration) error {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	for i, u := range []*string{&s.NotifyURL, &s.RawURL} {
		out, err := s.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("notify-bench-%s-%d", run, i+1)),
			Attributes: map[string]string{"VisibilityTimeout": strconv.Itoa(max(int(visibility/time.Second), 1))}})
		if err != nil {
			return fmt.Errorf("create queue: %w", err)
		}
		*u = aws.ToString(out.QueueUrl)
	}
	return nil
}

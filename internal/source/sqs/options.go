package sqs

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Protocols the SQS client can speak.
const (
	ProtocolJSON  = "json"  // AWS today (the SDK's default)
	ProtocolQuery = "query" // older SQS-compatible servers such as goaws
)

// Options configure a Source. Zero values take the defaults documented on each field.
type Options struct {
	// Queues are SQS queue names (resolved with GetQueueUrl) or queue URLs, standard or
	// FIFO. At least one is required.
	Queues []string
	// Protocol is ProtocolJSON (default) or ProtocolQuery.
	Protocol string
	// Pollers is how many ReceiveMessage loops run per queue (default 2).
	Pollers int
	// Concurrency bounds the received batches (of up to 10 messages) not yet committed,
	// across all queues (default 8), and, separately, the committed batches whose delete
	// is under way. A poller waits for a free slot before it receives, so messages are
	// never held without being worked on. The batches waiting while one commit runs
	// share the next; 32 made those transactions twice as big and CPU per message
	// 12–16 % lower in SQLite drains, but no faster on a loaded machine, where the
	// writer set the pace (BENCHMARKS.md, "SQS: where the drain's time goes"), so the
	// default stays 8.
	Concurrency int
	// WaitTime is the long-polling wait (default 20s, the SQS maximum). Whole seconds.
	WaitTime time.Duration
	// ExtendAfter is how long a batch may be in hand before its visibility timeout is
	// extended (default half the queue's VisibilityTimeout, else 15s).
	ExtendAfter time.Duration
	// ExtendBy is the visibility timeout each extension sets; extensions repeat every
	// ExtendBy/2 while the batch is still in hand (default the queue's VisibilityTimeout,
	// else 30s).
	ExtendBy time.Duration
	// HandleTimeout bounds the handling of one batch, shutdown included (default 2m).
	// A batch that runs out of time is left to come back after its visibility timeout.
	HandleTimeout time.Duration
	// ReadyTTL is how long a Ready answer is cached (default 5s).
	ReadyTTL time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Metrics, when set, registers the source's Prometheus metrics.
	Metrics prometheus.Registerer
	// Client replaces the SQS client New builds from the aws.Config (tests, wrappers).
	Client API
}

func (o Options) withDefaults() (Options, error) {
	if len(o.Queues) == 0 {
		return o, fmt.Errorf("sqs: no queues")
	}
	switch o.Protocol {
	case "":
		o.Protocol = ProtocolJSON
	case ProtocolJSON, ProtocolQuery:
	default:
		return o, fmt.Errorf("sqs: protocol %q: want %q or %q", o.Protocol, ProtocolJSON, ProtocolQuery)
	}
	if o.Pollers <= 0 {
		o.Pollers = 2
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.WaitTime <= 0 {
		o.WaitTime = 20 * time.Second
	}
	if o.WaitTime > 20*time.Second {
		return o, fmt.Errorf("sqs: wait time %s: SQS allows at most 20s", o.WaitTime)
	}
	if o.HandleTimeout <= 0 {
		o.HandleTimeout = 2 * time.Minute
	}
	if o.ReadyTTL <= 0 {
		o.ReadyTTL = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

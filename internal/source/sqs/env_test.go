package sqs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/testenv/goawstest"
)

// env is one test's world: the shared goaws, a fresh store and ingest service.
type env struct {
	t      *testing.T
	goaws  *goawstest.GoAWS
	client *sqs.Client
	store  store.Store
	svc    *ingest.Service
	pushed *recordingPublisher
}

func newEnv(t *testing.T, reg *notify.Registry) *env {
	t.Helper()
	g := goawstest.RequireGoAWS(t)
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "notify.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, goaws: g, client: g.SQS(), store: st, pushed: &recordingPublisher{}}
	e.svc = e.newService(reg)
	return e
}

func (e *env) newService(reg *notify.Registry) *ingest.Service {
	svc := ingest.New(e.store, ingest.Options{Registry: reg, Publisher: e.pushed, Logger: quietLogger()})
	e.t.Cleanup(svc.Close)
	return svc
}

// queue makes a queue with the given visibility timeout in seconds.
func (e *env) queue(base string, visibility int) (name, url string) {
	return e.goaws.Queue(e.t, base, map[string]string{"VisibilityTimeout": strconv.Itoa(visibility)})
}

// consumer is a running Source and what it reports.
type consumer struct {
	src     *Source
	batches chan []outcome
	cancel  context.CancelFunc
	done    chan error
}

// start runs a Source over queues until stop (or the test's end).
func (e *env) start(in Ingester, o Options) *consumer {
	e.t.Helper()
	if o.WaitTime == 0 {
		o.WaitTime = time.Second
	}
	o.Protocol = ProtocolQuery
	o.Logger = quietLogger()
	if o.Metrics == nil {
		o.Metrics = prometheus.NewRegistry()
	}
	src, err := New(e.goaws.Config, in, o)
	if err != nil {
		e.t.Fatal(err)
	}
	c := &consumer{src: src, batches: make(chan []outcome, 100), done: make(chan error, 1)}
	src.onBatch = func(_ string, out []outcome) { c.batches <- out }
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() { c.done <- src.Run(ctx) }()
	e.t.Cleanup(func() { c.stop(e.t) })
	return c
}

// stop ends the consumer and waits until Run returned; safe to call twice.
func (c *consumer) stop(t *testing.T) {
	t.Helper()
	c.cancel()
	select {
	case err, ok := <-c.done:
		if ok && err != nil {
			t.Errorf("Run: %v", err)
		}
		if ok {
			close(c.done)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// waitOutcomes collects batch outcomes until n messages have reached a final outcome.
func (c *consumer) waitFinal(t *testing.T, n int) map[outcome]int {
	t.Helper()
	got := map[outcome]int{}
	final := 0
	deadline := time.After(20 * time.Second)
	for final < n {
		select {
		case out := <-c.batches:
			for _, o := range out {
				got[o]++
				if o != pending {
					final++
				}
			}
		case <-deadline:
			t.Fatalf("only %d of %d messages reached a final outcome: %v", final, n, got)
		}
	}
	return got
}

// queueLength is how many messages the queue holds, in flight included.
func (e *env) queueLength(url string) int {
	e.t.Helper()
	out, err := e.client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	n, _ := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	return n
}

// sendRaw puts a body on the queue as is.
func (e *env) sendRaw(url, body string) {
	e.t.Helper()
	if _, err := e.client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}); err != nil {
		e.t.Fatal(err)
	}
}

// notificationsOf returns the stored notifications of a user.
func (e *env) notificationsOf(userID string) []notify.Notification {
	e.t.Helper()
	ns, err := e.store.ListNotifications(context.Background(), userID, 0, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return ns
}

type recordingPublisher struct {
	mu sync.Mutex
	ns []notify.Notification
}

func (p *recordingPublisher) Publish(_ context.Context, ns []notify.Notification) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ns = append(p.ns, ns...)
}

func (p *recordingPublisher) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ns)
}

// ingestFunc adapts a function to Ingester, to inject failures around the real one.
type ingestFunc func(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error)

func (f ingestFunc) Accept(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error) {
	return f(ctx, ins)
}

// Reject keeps nothing: the tests that wrap Accept send no poison messages.
func (f ingestFunc) Reject(context.Context, store.Rejected) (int64, error) {
	return 0, errors.New("this test's ingester keeps no rejected messages")
}

func quietLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Package goaws runs goaws, an SQS- and SNS-compatible server, inside this process: for
// the tests (through internal/testenv/goawstest) and for notify-bench. It does not import
// the testing package, so the bench binary does not link it.
package goaws

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/Admiral-Piett/goaws/app"
	"github.com/Admiral-Piett/goaws/app/gosqs"
	"github.com/Admiral-Piett/goaws/app/router"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/sirupsen/logrus"

	"github.com/notifyd/notifyd/internal/awsbody"
)

// Server is the in-process goaws (an SQS and SNS look-alike) a test binary shares. Its
// state is package-global inside goaws, so there is one per binary: make queues and
// topics with names unique to the test or run.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:41234 (AWS_ENDPOINT_URL).
	URL string
	// Config is an aws.Config for it: static credentials, region, BaseEndpoint.
	Config aws.Config

	srv  *http.Server
	quit chan struct{}
	done chan struct{}
}

// Account is the account id in goaws queue URLs and ARNs.
const Account = "000000000000"

// redeliveryTick is how often goaws makes messages whose visibility timeout ran out
// visible again. goaws only redelivers from this periodic task, which its own main
// starts; the harness runs it.
const redeliveryTick = 100 * time.Millisecond

var goaws struct {
	once sync.Once
	srv  *Server
	err  error
}

// Start starts the binary's goaws on a free local port, once; later calls return
// the same server. Stop (from TestMain, or at the end of a run) stops it.
func Start() (*Server, error) {
	goaws.once.Do(func() { goaws.srv, goaws.err = startGoAWS() })
	return goaws.srv, goaws.err
}

// Stop stops the binary's goaws, if it was started: its HTTP server and its
// redelivery task. Call it from TestMain after m.Run, or when a run ends.
func Stop() {
	if goaws.srv == nil {
		return
	}
	close(goaws.srv.quit)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = goaws.srv.srv.Shutdown(ctx)
	<-goaws.srv.done
}

func startGoAWS() (*Server, error) {
	// goaws logs every message body at info level through the global logrus logger.
	logrus.SetOutput(io.Discard)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("goaws: %w", err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	// goaws builds queue URLs from Host and Port, so they must be the real ones (not the
	// ":0" servertest.New would record), and from Region only when it is empty: with a
	// region it makes URLs like http://local.127.0.0.1:port that do not resolve.
	app.CurrentEnvironment = app.Environment{
		Host:      "127.0.0.1",
		Port:      port,
		AccountID: Account,
		QueueAttributeDefaults: app.EnvQueueAttributes{
			VisibilityTimeout:  30,
			MaximumMessageSize: 256 << 10,
		},
	}
	g := &Server{URL: "http://" + l.Addr().String(), quit: make(chan struct{}), done: make(chan struct{})}
	g.Config = aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("goaws", "goaws", ""),
		BaseEndpoint: aws.String(g.URL),
	}
	g.srv = &http.Server{Handler: orderedRequests(router.New()), ReadHeaderTimeout: 10 * time.Second}
	var running sync.WaitGroup
	running.Add(2)
	go func() {
		defer running.Done()
		_ = g.srv.Serve(l) // ends on Shutdown
	}()
	go func() {
		defer running.Done()
		gosqs.PeriodicTasks(redeliveryTick, g.quit) // ends when quit closes
	}()
	go func() {
		running.Wait()
		close(g.done)
	}()
	return g, nil
}

// orderedRequests keeps goaws' unlocked reads of its queue and topic maps from racing
// with the requests that write them. goaws reads those maps without its lock in places
// (ReceiveMessage looks its queue up before it takes the lock); when one test creates a
// queue while another's long poll starts, that is a real data race, and -race fails
// whichever test runs. So a request that changes the maps (CreateQueue, DeleteQueue,
// CreateTopic, Subscribe, …) runs alone, and every other request runs concurrently with
// the others (long polls wait in parallel) but never with one of those. A queue's
// creation therefore waits for the long polls in flight (1 s in the e2e harness).
//
// Every request also passes one mutex as it starts and as it ends, so requests that do
// not overlap in time are ordered for the race detector as they are in fact, and -race
// reports only real overlaps.
func orderedRequests(h http.Handler) http.Handler {
	var maps sync.RWMutex
	var mu sync.Mutex
	edge := func() { mu.Lock(); mu.Unlock() } //nolint:staticcheck // an empty critical section is the point
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		edge()
		defer edge()
		if changesMaps(r) {
			maps.Lock()
			defer maps.Unlock()
		} else {
			maps.RLock()
			defer maps.RUnlock()
		}
		h.ServeHTTP(w, r)
	})
}

// changesMaps reports whether the request's action adds to or removes from goaws' queue
// or topic maps, or changes an entry's settings.
func changesMaps(r *http.Request) bool {
	action := r.URL.Query().Get("Action")
	if action == "" && r.Method == http.MethodPost {
		_ = r.ParseForm() // goaws reads the same parsed form afterwards
		action = r.PostForm.Get("Action")
	}
	switch action {
	case "CreateQueue", "DeleteQueue", "PurgeQueue", "SetQueueAttributes",
		"CreateTopic", "DeleteTopic", "Subscribe", "Unsubscribe", "SetSubscriptionAttributes":
		return true
	}
	return false
}

// SQS returns an SQS client for goaws: the query protocol (goaws does not speak JSON).
func (g *Server) SQS() *sqs.Client { return QueryClient(g.Config) }

// QueryClient returns an SQS client for cfg speaking the query protocol, its HTTP client
// through awsbody as notifyd's own (so that a raw loop or a load is not slowed or
// doubled by answers the SDK loses).
func QueryClient(cfg aws.Config) *sqs.Client {
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		o.HTTPClient = awsbody.Wrap(o.HTTPClient)
		o.Protocol = awsquery.New(schemas.AmazonSQS)
	})
}

// SNS returns an SNS client for goaws.
func (g *Server) SNS() *sns.Client { return sns.NewFromConfig(g.Config) }

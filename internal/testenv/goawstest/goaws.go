// Package goawstest gives tests the in-process goaws (internal/goaws), an SQS- and
// SNS-compatible server. It lives apart from testenv so that only the tests that need
// goaws pay for starting it.
package goawstest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/notifyd/notifyd/internal/goaws"
	"github.com/notifyd/notifyd/internal/testenv"
)

// GoAWS is the binary's goaws (see internal/goaws), with helpers for tests.
type GoAWS struct{ *goaws.Server }

// StopGoAWS stops the binary's goaws, if it was started. Call it from TestMain after m.Run.
func StopGoAWS() { goaws.Stop() }

// RequireGoAWS returns the binary's goaws, or stops the test through Require when it
// cannot start.
func RequireGoAWS(t testing.TB) *GoAWS {
	t.Helper()
	s, err := goaws.Start()
	testenv.Require(t, "goaws", err)
	return &GoAWS{s}
}

var queueSeq atomic.Int64

// UniqueName returns base made unique within the binary and valid as a queue or topic
// name ("-fifo" in base is kept as the ".fifo" suffix FIFO queues need).
func UniqueName(t testing.TB, base string) string {
	fifo := strings.HasSuffix(base, ".fifo")
	base = strings.TrimSuffix(base, ".fifo")
	name := fmt.Sprintf("%s-%d-%s", base, queueSeq.Add(1), goawsSafeName(t.Name()))
	if len(name) > 70 {
		name = name[:70]
	}
	if fifo {
		name += ".fifo"
	}
	return name
}

func goawsSafeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// Queue creates a queue named UniqueName(t, base) with the given attributes (say
// "VisibilityTimeout": "1") and returns its name and URL.
func (g *GoAWS) Queue(t testing.TB, base string, attrs map[string]string) (name, url string) {
	t.Helper()
	name = UniqueName(t, base)
	out, err := g.SQS().CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("goaws: create queue %s: %v", name, err)
	}
	return name, aws.ToString(out.QueueUrl)
}

// QueueARN is the ARN goaws gives the queue name.
func QueueARN(name string) string { return "arn:aws:sqs::" + goaws.Account + ":" + name }

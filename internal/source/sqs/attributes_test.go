package sqs

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/prometheus/client_golang/prometheus"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/publish"
)

// awsAttributes answers receives the way SQS does and goaws does not: a message
// carries only the attributes the receive asked for.
type awsAttributes struct {
	*sqs.Client
}

func (a awsAttributes) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	out, err := a.Client.ReceiveMessage(ctx, in, optFns...)
	if err != nil {
		return out, err
	}
	for i, m := range out.Messages {
		if !slices.Contains(in.MessageAttributeNames, "All") {
			for name := range m.MessageAttributes {
				if !slices.Contains(in.MessageAttributeNames, name) {
					delete(m.MessageAttributes, name)
				}
			}
		}
		if !slices.Contains(in.MessageSystemAttributeNames, types.MessageSystemAttributeNameAll) {
			for name := range m.Attributes {
				if !slices.Contains(in.MessageSystemAttributeNames, types.MessageSystemAttributeName(name)) {
					delete(m.Attributes, name)
				}
			}
		}
		out.Messages[i] = m
	}
	return out, nil
}

// A receive asks for the attributes the source reads, not all of them, and still gets
// the producer's trace context, the send time (the age metric) and the receive count.
func TestReceiveAsksForTheAttributesItReads(t *testing.T) {
	const trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	e := newEnv(t, notify.DefaultRegistry())
	name, url := e.queue("attributes", 30)
	ctx := publish.ContextWithTraceParent(context.Background(), trace)
	if _, err := publish.NewSQS(e.client, url).Send(ctx, customerEvent("300", "order-300-created")); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var traces []string
	in := ingestFunc(func(ctx context.Context, ins []ingest.Input) ([]ingest.Result, error) {
		mu.Lock()
		for _, i := range ins {
			traces = append(traces, i.TraceParent)
		}
		mu.Unlock()
		return e.svc.Accept(ctx, ins)
	})
	reg := prometheus.NewRegistry()
	c := e.start(in, Options{Queues: []string{name}, Metrics: reg, Client: awsAttributes{e.client}})
	if got := c.waitFinal(t, 1); got[accepted] != 1 {
		t.Fatalf("outcomes %v, want 1 accepted", got)
	}
	c.stop(t)

	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(traces, []string{trace}) {
		t.Errorf("trace contexts handed to ingest %q, want [%q]", traces, trace)
	}
	if n := histogramCount(t, reg, "notifyd_sqs_message_age_seconds", name); n != 1 {
		t.Errorf("message age observed %d times, want 1: SentTimestamp did not come", n)
	}
	if !slices.Contains(receiveSystemAttributes, types.MessageSystemAttributeNameApproximateReceiveCount) {
		t.Errorf("receives do not ask for ApproximateReceiveCount, which a rejected message keeps")
	}
}

func histogramCount(t *testing.T, reg *prometheus.Registry, name, queue string) uint64 {
	t.Helper()
	return queueMetric(t, reg, name, queue).GetHistogram().GetSampleCount()
}

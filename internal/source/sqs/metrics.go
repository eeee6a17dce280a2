package sqs

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	received      *prometheus.CounterVec
	accepted      *prometheus.CounterVec
	duplicates    *prometheus.CounterVec
	rejected      *prometheus.CounterVec
	deleted       *prometheus.CounterVec
	receiveErrors *prometheus.CounterVec
	retried       *prometheus.CounterVec
	extended      *prometheus.CounterVec
	age           *prometheus.HistogramVec
	batch         *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifyd_sqs_" + name, Help: help}, []string{"queue"})
	}
	m := &metrics{
		received:      counter("received_total", "SQS messages received."),
		accepted:      counter("accepted_total", "SQS messages whose events were stored."),
		duplicates:    counter("duplicates_total", "SQS messages whose events were already stored (redeliveries)."),
		rejected:      counter("rejected_total", "SQS messages kept as rejected (poison) and deleted from the queue."),
		deleted:       counter("deleted_total", "SQS messages deleted after their outcome was committed."),
		receiveErrors: counter("receive_errors_total", "Failed ReceiveMessage calls."),
		retried:       counter("retried_total", "SQS messages left on the queue after a transient failure, to come back after their visibility timeout."),
		extended:      counter("visibility_extensions_total", "Visibility timeout extensions of messages still being handled."),
		age: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "notifyd_sqs_message_age_seconds",
			Help:    "Time from SentTimestamp to receipt: how far the consumer lags.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 9),
		}, []string{"queue"}),
		batch: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "notifyd_sqs_batch_seconds",
			Help:    "Time from receiving a batch until its delete answered (its concurrency slot is given back at its commit, before the delete).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 15),
		}, []string{"queue"}),
	}
	if reg != nil {
		reg.MustRegister(m.received, m.accepted, m.duplicates, m.rejected, m.deleted, m.receiveErrors, m.retried, m.extended, m.age, m.batch)
	}
	return m
}

// queueMetrics are one queue's series, looked up once when the queue is resolved
// rather than by label on every message.
type queueMetrics struct {
	received, accepted, duplicates, rejected, deleted prometheus.Counter
	receiveErrors, retried, extended                  prometheus.Counter
	age, batch                                        prometheus.Observer
}

func (m *metrics) forQueue(name string) *queueMetrics {
	return &queueMetrics{
		received: m.received.WithLabelValues(name), accepted: m.accepted.WithLabelValues(name),
		duplicates: m.duplicates.WithLabelValues(name), rejected: m.rejected.WithLabelValues(name),
		deleted: m.deleted.WithLabelValues(name), receiveErrors: m.receiveErrors.WithLabelValues(name),
		retried: m.retried.WithLabelValues(name), extended: m.extended.WithLabelValues(name),
		age: m.age.WithLabelValues(name), batch: m.batch.WithLabelValues(name),
	}
}

package fanout

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	published     prometheus.Counter
	received      prometheus.Counter
	publishErrors prometheus.Counter
	decodeErrors  prometheus.Counter
	reconnects    prometheus.Counter
	resyncs       prometheus.Counter
	referenced    prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "notifyd", Subsystem: "fanout", Name: name, Help: help})
	}
	m := &metrics{
		published:     c("published_total", "Notifications published to Redis or PostgreSQL for other replicas."),
		received:      c("received_total", "Notifications received from other replicas through Redis or PostgreSQL."),
		publishErrors: c("publish_errors_total", "Publishes that failed or were dropped; other replicas heal on their next resync."),
		decodeErrors:  c("decode_errors_total", "Fan-out messages that could not be decoded."),
		reconnects:    c("reconnects_total", "Redis subscriptions or PostgreSQL listeners re-established after a drop."),
		resyncs:       c("resyncs_total", "Resyncs of the local hub against the store after a subscription or listener was established."),
		referenced:    c("referenced_total", "Notifications too big for a PostgreSQL NOTIFY payload, sent as a reference the receivers read from the store."),
	}
	if reg == nil {
		return m, nil
	}
	for _, col := range []prometheus.Collector{m.published, m.received, m.publishErrors, m.decodeErrors, m.reconnects, m.resyncs, m.referenced} {
		if err := reg.Register(col); err != nil {
			return nil, fmt.Errorf("fanout: metrics: %w", err)
		}
	}
	return m, nil
}

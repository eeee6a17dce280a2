package ingest

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	accepted   prometheus.Counter
	duplicates prometheus.Counter
	rejected   *prometheus.CounterVec
	batchSize  prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		accepted:   prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_events_accepted_total", Help: "Events stored for the first time."}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_events_duplicate_total", Help: "Events whose idempotency key was already stored."}),
		rejected:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifyd_events_rejected_total", Help: "Events refused, by error code."}, []string{"code"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "notifyd_commit_batch_events", Help: "Events per store transaction (group commit).",
			Buckets: prometheus.ExponentialBuckets(1, 4, 7)}),
	}
	if reg != nil {
		reg.MustRegister(m.accepted, m.duplicates, m.rejected, m.batchSize)
	}
	return m
}

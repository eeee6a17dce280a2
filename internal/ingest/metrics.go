package ingest

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	accepted   prometheus.Counter
	duplicates prometheus.Counter
	rejected   *prometheus.CounterVec
	batchSize  prometheus.Histogram
	// The stages between a caller's submit and its notifications leaving for the streams,
	// so that publish→SSE latency can be broken down (BENCHMARKS.md).
	queueWait  prometheus.Histogram // submit → its transaction starts (queue and linger)
	commitTime prometheus.Histogram // one store transaction, fsync included
	pubLag     prometheus.Histogram // commit → the publishing goroutine takes the batch
	pubTime    prometheus.Histogram // pushing one committed batch to the streams
}

// stageBuckets span 50 µs … 3.3 s.
var stageBuckets = prometheus.ExponentialBuckets(50e-6, 2, 17)

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		accepted:   prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_events_accepted_total", Help: "Events stored for the first time."}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_events_duplicate_total", Help: "Events whose idempotency key was already stored."}),
		rejected:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifyd_events_rejected_total", Help: "Events refused, by error code."}, []string{"code"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "notifyd_commit_batch_events", Help: "Events per store transaction (group commit).",
			Buckets: prometheus.ExponentialBuckets(1, 4, 7)}),
		queueWait:  prometheus.NewHistogram(prometheus.HistogramOpts{Name: "notifyd_commit_wait_seconds", Help: "Time a batch waited for its transaction (group-commit queue and linger).", Buckets: stageBuckets}),
		commitTime: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "notifyd_commit_seconds", Help: "Duration of one group-commit transaction, fsync included.", Buckets: stageBuckets}),
		pubLag:     prometheus.NewHistogram(prometheus.HistogramOpts{Name: "notifyd_publish_lag_seconds", Help: "Time from a commit until the publishing goroutine takes its notifications.", Buckets: stageBuckets}),
		pubTime:    prometheus.NewHistogram(prometheus.HistogramOpts{Name: "notifyd_publish_seconds", Help: "Time to push one committed batch to the live streams (and wake the delivery workers).", Buckets: stageBuckets}),
	}
	if reg != nil {
		reg.MustRegister(m.accepted, m.duplicates, m.rejected, m.batchSize, m.queueWait, m.commitTime, m.pubLag, m.pubTime)
	}
	return m
}

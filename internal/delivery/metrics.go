package delivery

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	outcomes *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifyd_deliveries_total", Help: "Delivery attempts by channel and outcome (sent, failed, skipped, pending = retry)."}, []string{"channel", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "notifyd_provider_seconds", Help: "Provider call latency.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}, []string{"provider"}),
	}
	if reg != nil {
		reg.MustRegister(m.outcomes, m.latency)
	}
	return m
}

func itoa(n int) string { return strconv.Itoa(n) }

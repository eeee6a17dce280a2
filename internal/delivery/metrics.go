package delivery

import (
	"errors"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	outcomes  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	leaseLost prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifyd_deliveries_total", Help: "Delivery attempts by channel and outcome (sent, failed, skipped, pending = retry)."}, []string{"channel", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "notifyd_provider_seconds", Help: "Provider call latency.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}, []string{"provider"}),
		leaseLost: prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_delivery_leases_lost_total", Help: "Delivery leases found taken by another claim on renewal (a stalled process)."}),
	}
	if reg != nil {
		// One worker per channel shares the collectors: a later worker takes the first one's.
		m.outcomes = register(reg, m.outcomes)
		m.latency = register(reg, m.latency)
		m.leaseLost = register(reg, m.leaseLost)
	}
	return m
}

func itoa(n int) string { return strconv.Itoa(n) }

// register registers c, or returns the equal collector registered before.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if prev, ok := are.ExistingCollector.(C); ok {
				return prev
			}
		}
		panic(err)
	}
	return c
}

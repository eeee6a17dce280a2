package sse

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	conns    prometheus.Gauge
	sent     prometheus.Counter
	replayed prometheus.Counter
	gaps     prometheus.Counter
	states   prometheus.Counter
	// resyncErrors counts failed resync attempts (each is tried again).
	resyncErrors prometheus.Counter
	closed       *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		conns:        prometheus.NewGauge(prometheus.GaugeOpts{Name: "notifyd_sse_connections", Help: "Open SSE streams."}),
		sent:         prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_sse_live_sent_total", Help: "Notifications written live to streams."}),
		replayed:     prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_sse_replayed_total", Help: "Notifications written to streams from the store (replay and gap healing)."}),
		gaps:         prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_sse_gaps_total", Help: "Times a stream was found behind the store and caught up."}),
		states:       prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_sse_state_sent_total", Help: "Inbox state changes (event: state) written to streams."}),
		resyncErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "notifyd_sse_resync_errors_total", Help: "Resyncs of the streams against the store that failed and were tried again."}),
		closed:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: "notifyd_sse_closed_total", Help: "Streams closed, by reason."}, []string{"reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.conns, m.sent, m.replayed, m.gaps, m.states, m.resyncErrors, m.closed)
	}
	return m
}

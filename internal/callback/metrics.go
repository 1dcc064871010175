package callback

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	received  *prometheus.CounterVec
	duplicate *prometheus.CounterVec
	refused   *prometheus.CounterVec
	latency   *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fulfillment_external_callback_received_total",
			Help: "Authenticated, valid external callbacks received, redeliveries included, by system and outcome.",
		}, []string{"system", "outcome"}),
		duplicate: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fulfillment_external_callback_duplicate_total",
			Help: "Redelivered external callbacks answered from the first delivery, by system.",
		}, []string{"system"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fulfillment_external_callback_refused_total",
			Help: "External callbacks refused, by system and problem code.",
		}, []string{"system", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fulfillment_external_callback_latency_seconds",
			Help:    "From the partner's occurredAt to the callback being stored, first deliveries only.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 14),
		}, []string{"system"}),
	}
	reg.MustRegister(m.received, m.duplicate, m.refused, m.latency)
	return m
}

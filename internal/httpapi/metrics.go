package httpapi

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	replays  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_api_requests_total", Help: "OMS API requests by route pattern and HTTP status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "orderfleet_api_request_duration_seconds", Help: "OMS API request duration by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		replays: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_api_idempotent_replays_total", Help: "POSTs answered from a stored Idempotency-Key response.",
		}, []string{"route"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.latency, m.replays)
	}
	return m
}

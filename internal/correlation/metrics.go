package correlation

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	received         prometheus.Counter
	outcomes         *prometheus.CounterVec
	engineDuplicates prometheus.Counter
	failures         *prometheus.CounterVec
	duration         *prometheus.HistogramVec
	inFlight         prometheus.Gauge
	lag              *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderfleet_router_records_received_total", Help: "Kafka records fetched, redeliveries included.",
		}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_router_records_total",
			Help: "Records finished, by outcome: correlated, duplicate (inbox hit), ignored (no route), dead_lettered.",
		}, []string{"outcome"}),
		engineDuplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderfleet_router_engine_duplicates_total",
			Help: "Publishes the engine answered ALREADY_EXISTS: an earlier attempt got through before a crash or timeout.",
		}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_router_failures_total",
			Help: "Failed attempts that are retried, by stage (database, engine, kafka_fetch, kafka_commit).",
		}, []string{"stage"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "orderfleet_router_record_duration_seconds", Help: "Time to finish one record, by outcome.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 10),
		}, []string{"outcome"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "orderfleet_router_records_in_flight", Help: "Records fetched and not yet finished.",
		}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "orderfleet_router_consumer_lag",
			Help: "Records between this router's committed offset and the partition's end, at the last fetch.",
		}, []string{"topic", "partition"}),
	}
	reg.MustRegister(m.received, m.outcomes, m.engineDuplicates, m.failures, m.duration, m.inFlight, m.lag)
	return m
}

package reconcile

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/orderfleet/orderfleet/internal/domain"
)

type metrics struct {
	open     *prometheus.GaugeVec
	opened   *prometheus.CounterVec
	resolved *prometheus.CounterVec
	runs     *prometheus.CounterVec
	errors   *prometheus.CounterVec
	lastRun  prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "orderfleet_reconcile_findings", Help: "Open reconciliation findings after the last pass, by divergence kind.",
		}, []string{"kind"}),
		opened: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_reconcile_findings_opened_total", Help: "Divergences found that were not open before, by kind.",
		}, []string{"kind"}),
		resolved: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_reconcile_findings_resolved_total", Help: "Open findings a pass no longer saw, by kind.",
		}, []string{"kind"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_reconcile_runs_total", Help: "Reconciliation passes, by result (ok, partial, error).",
		}, []string{"result"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_reconcile_errors_total", Help: "Checks that could not finish (database or engine API trouble), by check.",
		}, []string{"check"}),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "orderfleet_reconcile_last_success_timestamp_seconds", Help: "When the last pass that recorded its findings ended (Unix time).",
		}),
	}
	reg.MustRegister(m.open, m.opened, m.resolved, m.runs, m.errors, m.lastRun)
	// every kind shows from the start, so an alert on a kind has a series before its first finding
	for _, k := range domain.DivergenceKinds {
		m.open.WithLabelValues(string(k))
		m.opened.WithLabelValues(string(k))
		m.resolved.WithLabelValues(string(k))
	}
	return m
}

package worker

import "github.com/prometheus/client_golang/prometheus"

// metrics are per job type, so each type can be watched and scaled on its own.
type metrics struct {
	activated  *prometheus.CounterVec
	handled    *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	inFlight   *prometheus.GaugeVec
	pollErrors *prometheus.CounterVec
	incidents  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		activated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_worker_jobs_activated_total", Help: "Jobs activated from Zeebe, by job type.",
		}, []string{"job_type"}),
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_worker_jobs_handled_total",
			Help: "Jobs finished, by job type and outcome (completed, parked, business_error, retry, incident, returned, lost).",
		}, []string{"job_type", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "orderfleet_worker_job_duration_seconds", Help: "Handler run time, by job type and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 10),
		}, []string{"job_type", "outcome"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "orderfleet_worker_jobs_in_flight", Help: "Jobs activated and not yet finished, by job type.",
		}, []string{"job_type"}),
		pollErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_worker_activation_errors_total", Help: "Failed job activations, by job type and gRPC code.",
		}, []string{"job_type", "code"}),
		incidents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "worker_incident_total", Help: "Jobs failed with no retries left, which raise an incident.",
		}, []string{"job_type"}),
	}
	reg.MustRegister(m.activated, m.handled, m.duration, m.inFlight, m.pollErrors, m.incidents)
	return m
}

// announce exports a job type's series at zero before its first job, so dashboards and alerts
// see "no incidents yet" instead of no series at all.
func (m *metrics) announce(jobType string) {
	m.activated.WithLabelValues(jobType)
	m.inFlight.WithLabelValues(jobType)
	m.incidents.WithLabelValues(jobType)
}

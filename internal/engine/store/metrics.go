package store

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the engine's Prometheus collectors (engine_* names).
type Metrics struct {
	InstancesCreated    prometheus.Counter
	InstancesCompleted  prometheus.Counter
	InstancesTerminated prometheus.Counter
	JobsCreated         *prometheus.CounterVec
	JobsActivated       *prometheus.CounterVec
	JobsCompleted       *prometheus.CounterVec
	JobsFailed          *prometheus.CounterVec
	JobsTimedOut        *prometheus.CounterVec
	Incidents           *prometheus.CounterVec
	MessagesPublished   prometheus.Counter
	MessagesCorrelated  prometheus.Counter
	MessagesExpired     prometheus.Counter
	CommandLatency      *prometheus.HistogramVec
	BackPressure        prometheus.Counter
}

// NewMetrics creates the collectors and registers them on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	}
	byType := func(name, help, label string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
	}
	m := &Metrics{
		InstancesCreated:    counter("engine_process_instances_created_total", "Process instances created."),
		InstancesCompleted:  counter("engine_process_instances_completed_total", "Process instances completed."),
		InstancesTerminated: counter("engine_process_instances_terminated_total", "Process instances terminated."),
		JobsCreated:         byType("engine_jobs_created_total", "Jobs created, by job type.", "type"),
		JobsActivated:       byType("engine_jobs_activated_total", "Jobs activated, by job type.", "type"),
		JobsCompleted:       byType("engine_jobs_completed_total", "Jobs completed, by job type.", "type"),
		JobsFailed:          byType("engine_jobs_failed_total", "Jobs failed, by job type.", "type"),
		JobsTimedOut:        byType("engine_jobs_timed_out_total", "Job activations that passed their deadline, by job type.", "type"),
		Incidents:           byType("engine_incidents_created_total", "Incidents created, by error type.", "error_type"),
		MessagesPublished:   counter("engine_messages_published_total", "Messages published."),
		MessagesCorrelated:  counter("engine_messages_correlated_total", "Message correlations to instances."),
		MessagesExpired:     counter("engine_messages_expired_total", "Buffered messages deleted after their TTL."),
		CommandLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "engine_command_duration_seconds",
			Help:    "Latency of engine commands, by command.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"command"}),
		BackPressure: counter("engine_backpressure_rejections_total", "Requests rejected because too many commands were in flight."),
	}
	if reg != nil {
		reg.MustRegister(m.InstancesCreated, m.InstancesCompleted, m.InstancesTerminated, m.JobsCreated,
			m.JobsActivated, m.JobsCompleted, m.JobsFailed, m.JobsTimedOut, m.Incidents,
			m.MessagesPublished, m.MessagesCorrelated, m.MessagesExpired, m.CommandLatency, m.BackPressure)
	}
	return m
}

package fulfillment

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the business counters of seed 001 §26. They count effects, not deliveries: a
// redelivered job that finds its work done increments nothing.
type metrics struct {
	taskStarted         *prometheus.CounterVec
	taskCompleted       *prometheus.CounterVec
	taskFailed          *prometheus.CounterVec
	taskTimeout         *prometheus.CounterVec
	taskRetry           *prometheus.CounterVec
	fallout             *prometheus.CounterVec
	compensationStarted *prometheus.CounterVec
	compensationFailed  *prometheus.CounterVec
	processCompleted    *prometheus.CounterVec
	orderCompletion     *prometheus.HistogramVec
}

// newMetrics registers the counters on reg; a nil reg keeps them unregistered (tests that do
// not look at metrics).
func newMetrics(reg prometheus.Registerer) *metrics {
	byJob := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"job_type"})
	}
	m := &metrics{
		taskStarted:   byJob("fulfillment_task_started_total", "Task attempts started, by job type."),
		taskCompleted: byJob("fulfillment_task_completed_total", "Tasks settled as COMPLETED, by job type."),
		taskFailed:    byJob("fulfillment_task_failed_total", "Tasks settled as FAILED, by job type."),
		taskTimeout:   byJob("fulfillment_task_timeout_total", "Tasks whose timeout fired while in flight, by job type."),
		taskRetry: byJob("fulfillment_task_retry_total",
			"Task jobs handed back for a retry after an infrastructure or adapter failure, by job type."),
		fallout: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fulfillment_process_fallout_total", Help: "Fallout cases opened, by job type and category.",
		}, []string{"job_type", "category"}),
		compensationStarted: byJob("fulfillment_compensation_started_total", "Compensation plans built, by job type."),
		compensationFailed:  byJob("fulfillment_compensation_failed_total", "Compensation steps that failed, by job type."),
		processCompleted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fulfillment_process_completed_total",
			Help: "Orders that reached an end state through finalize, by job type and end state.",
		}, []string{"job_type", "order_status"}),
		// Orders take minutes to days (manual steps, partner callbacks): buckets from 1 s to ~6 days.
		orderCompletion: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "order_completion_duration_seconds",
			Help:    "From order capture to its end state through finalize, by end state.",
			Buckets: prometheus.ExponentialBuckets(1, 3, 14),
		}, []string{"order_status"}),
	}
	if reg != nil {
		reg.MustRegister(m.taskStarted, m.taskCompleted, m.taskFailed, m.taskTimeout, m.taskRetry,
			m.fallout, m.compensationStarted, m.compensationFailed, m.processCompleted, m.orderCompletion)
	}
	return m
}

// settled counts a task that reached COMPLETED or FAILED through this job.
func (m *metrics) settled(jobType string, outcome string) {
	switch outcome {
	case "COMPLETED":
		m.taskCompleted.WithLabelValues(jobType).Inc()
	case "FAILED":
		m.taskFailed.WithLabelValues(jobType).Inc()
	}
}

// ended counts an order that reached its end state and how long it took since capture.
func (m *metrics) ended(jobType string, status string, took time.Duration) {
	m.processCompleted.WithLabelValues(jobType, status).Inc()
	m.orderCompletion.WithLabelValues(status).Observe(took.Seconds())
}

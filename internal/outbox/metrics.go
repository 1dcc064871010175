package outbox

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

type metrics struct {
	published prometheus.Counter
	pruned    prometheus.Counter
	errors    *prometheus.CounterVec
	delay     prometheus.Histogram
	leader    prometheus.Gauge
	backlog   prometheus.Gauge
	oldestAge prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderfleet_outbox_published_total", Help: "Outbox events acknowledged by Kafka and recorded as published.",
		}),
		pruned: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderfleet_outbox_pruned_total", Help: "Published outbox rows deleted because they outlived the retention.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orderfleet_outbox_publish_errors_total", Help: "Failed relay rounds, by stage (kafka, database, prune); the rows are retried.",
		}, []string{"stage"}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "orderfleet_outbox_publish_delay_seconds",
			Help:    "Time from an event's insert transaction until the relay recorded it published (after Kafka's acknowledgement).",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "orderfleet_outbox_relay_leader", Help: "1 while this replica holds the publisher lock, else 0.",
		}),
		backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "orderfleet_outbox_unpublished_events", Help: "Outbox rows not yet published (counted up to 100000).",
		}),
		oldestAge: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "orderfleet_outbox_oldest_unpublished_age_seconds", Help: "Age of the oldest unpublished outbox row, 0 when none.",
		}),
	}
	reg.MustRegister(m.published, m.pruned, m.errors, m.delay, m.leader, m.backlog, m.oldestAge)
	return m
}

// watchLag refreshes the lag gauges on every replica, standbys included, so the lag stays visible
// when the publisher itself is the thing that died.
func (r *Relay) watchLag(ctx context.Context) {
	t := time.NewTicker(r.cfg.LagInterval)
	defer t.Stop()
	for {
		if err := r.measureLag(ctx); err != nil && ctx.Err() == nil {
			r.log.Debug("outbox lag query failed", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *Relay) measureLag(ctx context.Context) error {
	var count int64
	var age float64
	err := r.db.QueryRow(ctx, `
		with cursor as (select outbox_published_through() as through)
		select (select count(*) from (select 1 from outbox_event, cursor where position > through limit 100000) capped),
		       coalesce((select extract(epoch from now() - created_at)::float8 from outbox_event, cursor
		                 where position > through order by position limit 1), 0)`).Scan(&count, &age)
	if err != nil {
		return err
	}
	r.m.backlog.Set(float64(count))
	r.m.oldestAge.Set(age)
	return nil
}

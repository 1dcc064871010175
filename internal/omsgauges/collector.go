// Package omsgauges exports, at scrape time, the OMS state only PostgreSQL knows: orders by state,
// task backlog by owner system, stuck tasks, open fallout, failed compensation steps and lock waits.
// Every replica of a binary would report the same numbers, so only oms-api registers it.
package omsgauges

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// Config bounds what one scrape may cost the database.
type Config struct {
	// Timeout bounds all queries of one scrape; a slow database yields orderfleet_oms_gauges_up 0
	// rather than a hanging scrape.
	Timeout time.Duration
	// StuckAfter is how long a task may sit in flight (IN_PROGRESS, SUBMITTED, WAITING) before it counts as stuck.
	StuckAfter time.Duration
}

// Collector is a prometheus.Collector that runs its queries on every scrape.
type Collector struct {
	db       *pgxpool.Pool
	cfg      Config
	gauges   []gauge
	up       *prometheus.Desc
	duration *prometheus.Desc
}

// New builds the collector; register it on the binary's registry.
func New(db *pgxpool.Pool, cfg Config) *Collector {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.StuckAfter <= 0 {
		cfg.StuckAfter = 2 * time.Hour
	}
	return &Collector{
		db: db, cfg: cfg, gauges: gauges(),
		up: prometheus.NewDesc("orderfleet_oms_gauges_up",
			"1 when every OMS gauge query of this scrape succeeded, else 0 (the failed gauges are left out).", nil, nil),
		duration: prometheus.NewDesc("orderfleet_oms_gauges_scrape_seconds",
			"Time the OMS gauge queries of this scrape took.", nil, nil),
	}
}

// Describe sends every gauge's descriptor, so the registry checks names once at registration.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, g := range c.gauges {
		ch <- g.desc
	}
	ch <- c.up
	ch <- c.duration
}

// Collect runs the queries. A failing query drops its gauge and flips up to 0; it never fails
// the scrape, which would hide every other metric of oms-api with it.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	defer cancel()
	up := 1.0
	for _, g := range c.gauges {
		if err := g.collect(ctx, c.db, c.cfg, ch); err != nil {
			up = 0
		}
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(c.duration, prometheus.GaugeValue, time.Since(start).Seconds())
}

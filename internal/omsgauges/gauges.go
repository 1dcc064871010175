package omsgauges

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// gauge is one query: its rows are the label values in order, then the value.
type gauge struct {
	desc   *prometheus.Desc
	labels int
	sql    string
	// args are taken from the config at scrape time (the stuck threshold).
	args func(Config) []any
}

// inFlight are the task states that wait on a worker, a partner or a person.
const inFlight = `('IN_PROGRESS', 'SUBMITTED', 'WAITING')`

func gauges() []gauge {
	noArgs := func(Config) []any { return nil }
	stuckArgs := func(c Config) []any { return []any{c.StuckAfter.Seconds()} }
	return []gauge{{
		desc:   prometheus.NewDesc("orderfleet_orders", "Orders in the OMS, by order state.", []string{"status"}, nil),
		labels: 1, args: noArgs,
		sql: `select status, count(*)::float8 from customer_order group by status`,
	}, {
		desc: prometheus.NewDesc("orderfleet_fulfillment_task_backlog",
			"Fulfillment tasks not yet settled, by owner system and task state.", []string{"owner_system", "status"}, nil),
		labels: 2, args: noArgs,
		sql: `select owner_system, status, count(*)::float8 from fulfillment_task
		      where status in ('PENDING', 'READY', 'IN_PROGRESS', 'SUBMITTED', 'WAITING', 'COMPENSATING')
		      group by owner_system, status`,
	}, {
		desc: prometheus.NewDesc("orderfleet_fulfillment_tasks_stuck",
			"Tasks in flight longer than the stuck threshold (--stuck-task-after), by owner system.", []string{"owner_system"}, nil),
		labels: 1, args: stuckArgs,
		sql: `select owner_system, count(*)::float8 from fulfillment_task
		      where status in ` + inFlight + ` and updated_at < now() - make_interval(secs => $1)
		      group by owner_system`,
	}, {
		desc: prometheus.NewDesc("orderfleet_orders_stuck",
			"Orders with at least one task in flight longer than the stuck threshold.", nil, nil),
		labels: 0, args: stuckArgs,
		sql: `select count(distinct order_id)::float8 from fulfillment_task
		      where status in ` + inFlight + ` and updated_at < now() - make_interval(secs => $1)`,
	}, {
		desc: prometheus.NewDesc("orderfleet_fallout_cases_open",
			"Fallout cases OPEN or ESCALATED, by category.", []string{"category"}, nil),
		labels: 1, args: noArgs,
		sql: `select category, count(*)::float8 from fallout_case where status in ('OPEN', 'ESCALATED') group by category`,
	}, {
		desc: prometheus.NewDesc("orderfleet_compensation_steps_failed",
			"Compensation steps in state FAILED, by compensation task type.", []string{"task_type"}, nil),
		labels: 1, args: noArgs,
		sql: `select task_type, count(*)::float8 from compensation_task where status = 'FAILED' group by task_type`,
	}, {
		// A backend waiting on a row lock holds a granted lock on the table it touches, and a
		// backend waiting on a table lock has an ungranted one: either way the table is named.
		desc: prometheus.NewDesc("orderfleet_db_lock_waiting_sessions",
			"Sessions of this database waiting on a lock, by table they are working on.", []string{"table"}, nil),
		labels: 1, args: noArgs,
		sql: `select c.relname::text, count(distinct a.pid)::float8
		      from pg_stat_activity a
		      join pg_locks l on l.pid = a.pid and l.locktype = 'relation'
		      join pg_class c on c.oid = l.relation and c.relkind = 'r'
		      join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
		      where a.wait_event_type = 'Lock' and a.datname = current_database()
		      group by c.relname`,
	}}
}

func (g gauge) collect(ctx context.Context, db *pgxpool.Pool, cfg Config, ch chan<- prometheus.Metric) error {
	rows, err := db.Query(ctx, g.sql, g.args(cfg)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var metrics []prometheus.Metric
	for rows.Next() {
		labels := make([]string, g.labels)
		dest := make([]any, 0, g.labels+1)
		for i := range labels {
			dest = append(dest, &labels[i])
		}
		var value float64
		if err := rows.Scan(append(dest, &value)...); err != nil {
			return fmt.Errorf("%s: %w", g.desc, err)
		}
		metrics = append(metrics, prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, value, labels...))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// Sent only once the whole query succeeded, so a gauge is never half reported.
	for _, m := range metrics {
		ch <- m
	}
	return nil
}

// Package manualtask completes the engine's user-task jobs once the OMS has settled their task.
// The fleet parks each user-task job in manual_task_job; an operator's decision goes through the
// OMS API and the domain, never straight to the engine; this loop then tells the engine, by job key.
package manualtask

import (
	"context"
	"fmt"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/pollloop"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// Releaser completes parked user-task jobs whose task left WAITING.
type Releaser struct {
	db       *pgxpool.Pool
	engine   zbc.Client
	log      *zap.Logger
	interval time.Duration
	released *prometheus.CounterVec
}

// NewReleaser builds the loop; interval is the pause between scans that found nothing.
func NewReleaser(db *pgxpool.Pool, engine zbc.Client, log *zap.Logger, reg prometheus.Registerer, interval time.Duration) *Releaser {
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	r := &Releaser{db: db, engine: engine, log: log, interval: interval}
	r.released = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "orderfleet_manual_task_jobs_released_total",
		Help: "Parked user-task jobs completed after a decision, by result (completed, job_gone).",
	}, []string{"result"})
	reg.MustRegister(r.released)
	return r
}

// Run scans until ctx ends; database or engine trouble backs off and is retried.
func (r *Releaser) Run(ctx context.Context) error {
	return pollloop.Run(ctx, r.log, "releasing manual task jobs", r.interval, 30*time.Second, r.ReleaseBatch)
}

type parkedJob struct {
	TenantID, TaskID, OrderID string
	JobKey                    int64
	TaskStatus                string
}

// ReleaseBatch completes up to 32 jobs whose task was settled, each in the transaction that marks it
// released; SKIP LOCKED lets several replicas share the scan.
func (r *Releaser) ReleaseBatch(ctx context.Context) (int, error) {
	tx, err := r.db.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	rows, err := tx.Query(ctx, `
		select m.tenant_id, m.fulfillment_task_id::text, m.order_id::text, m.job_key, t.status
		from manual_task_job m
		join fulfillment_task t on t.tenant_id = m.tenant_id and t.id = m.fulfillment_task_id
		where m.released_at is null and t.status not in ('WAITING', 'IN_PROGRESS')
		order by m.parked_at
		limit 32
		for update of m skip locked`)
	if err != nil {
		return 0, err
	}
	jobs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[parkedJob])
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		result, err := r.complete(ctx, j)
		if err != nil {
			return 0, fmt.Errorf("complete user-task job %d of task %s: %w", j.JobKey, j.TaskID, err)
		}
		if _, err := tx.Exec(ctx, `update manual_task_job set released_at = now(), released_status = $4
			where tenant_id = $1 and fulfillment_task_id = $2 and job_key = $3`, j.TenantID, j.TaskID, j.JobKey, j.TaskStatus); err != nil {
			return 0, err
		}
		r.released.WithLabelValues(result).Inc()
		r.log.Info("manual task decided; user-task job completed", zap.String("tenantId", j.TenantID),
			zap.String("orderId", j.OrderID), zap.String("fulfillmentTaskId", j.TaskID),
			zap.Int64("jobKey", j.JobKey), zap.String("taskStatus", j.TaskStatus), zap.String("result", result))
	}
	return len(jobs), tx.Commit(ctx)
}

// complete sends CompleteJob; a job the engine no longer has (instance cancelled) counts as released.
func (r *Releaser) complete(ctx context.Context, j parkedJob) (string, error) {
	callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd, err := r.engine.NewCompleteJobCommand().JobKey(j.JobKey).VariablesFromMap(map[string]any{"taskOutcome": j.TaskStatus})
	if err != nil {
		return "", err
	}
	if _, err := cmd.Send(callCtx); err != nil {
		if zeebe.IsNotFound(err) {
			return "job_gone", nil
		}
		return "", err
	}
	return "completed", nil
}

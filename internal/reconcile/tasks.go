package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// checkFailedTasks finds failed or timed-out tasks of orders still being fulfilled that no open
// fallout case covers: the process opens one for each, so a missing case means the instance is
// not in its repair path and nobody will be asked to repair the task.
func (r *Reconciler) checkFailedTasks(ctx context.Context) ([]Finding, error) {
	rows, err := r.db.Query(ctx, `
		select t.tenant_id, t.order_id::text, t.fulfillment_plan_id::text, t.id::text, t.task_key, t.status,
		       coalesce(t.last_failure_code, ''), t.updated_at
		from fulfillment_task t
		join customer_order o on o.tenant_id = t.tenant_id and o.id = t.order_id
		where ($1 = '' or t.tenant_id = $1)
		  and t.status = any($2) and o.status = any($3)
		  and t.updated_at < now() - $4 * interval '1 millisecond'
		  and not exists (select 1 from fallout_case f
		                  where f.tenant_id = t.tenant_id and f.task_id = t.id and f.status in ('OPEN', 'ESCALATED'))
		order by t.tenant_id, t.order_id, t.seq`,
		r.cfg.TenantID, needingRepair(),
		[]string{string(domain.OrderFulfilling), string(domain.OrderSuspended)}, millis(r.cfg.Grace))
	if err != nil {
		return nil, fmt.Errorf("read failed tasks: %w", err)
	}
	var found []Finding
	var f Finding
	var taskKey, status, code string
	var since time.Time
	_, err = pgx.ForEachRow(rows, []any{&f.TenantID, &f.OrderID, &f.FulfillmentPlanID, &f.TaskID, &taskKey, &status, &code, &since}, func() error {
		found = append(found, Finding{
			TenantID: f.TenantID, Kind: domain.DivergenceFailedTaskNotInRepair, Subject: f.TaskID,
			OrderID: f.OrderID, FulfillmentPlanID: f.FulfillmentPlanID, TaskID: f.TaskID,
			Detail: fmt.Sprintf("task %s is %s since %s (failure %s) and no open fallout case repairs it",
				taskKey, status, since.UTC().Format(time.RFC3339), orDash(code)),
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read failed tasks: %w", err)
	}
	return found, nil
}

// checkStuckTasks finds tasks still in flight longer than their own timeout policy plus the grace:
// by then the task's timer should have fired and the timeout worker settled the task.
func (r *Reconciler) checkStuckTasks(ctx context.Context) ([]Finding, error) {
	var inFlight []string
	for _, s := range domain.TaskStatuses {
		if s.InFlight() {
			inFlight = append(inFlight, string(s))
		}
	}
	rows, err := r.db.Query(ctx, `
		select t.tenant_id, t.order_id::text, t.fulfillment_plan_id::text, t.id::text, t.task_key, t.status,
		       t.timeout, coalesce(t.started_at, t.updated_at), now()
		from fulfillment_task t
		where ($1 = '' or t.tenant_id = $1)
		  and t.status = any($2)
		  and coalesce(t.started_at, t.updated_at) < now() - $3 * interval '1 millisecond'
		order by t.tenant_id, t.order_id, t.seq`,
		r.cfg.TenantID, inFlight, millis(r.cfg.Grace))
	if err != nil {
		return nil, fmt.Errorf("read tasks in flight: %w", err)
	}
	var found []Finding
	var f Finding
	var taskKey, status, timeoutISO string
	var since, now time.Time
	_, err = pgx.ForEachRow(rows, []any{&f.TenantID, &f.OrderID, &f.FulfillmentPlanID, &f.TaskID, &taskKey, &status, &timeoutISO, &since, &now}, func() error {
		timeout, err := domain.ParseISODuration(timeoutISO)
		if err != nil {
			// a policy we cannot read cannot be overdue; the plan loader rejects it loudly elsewhere
			return nil
		}
		if !now.After(since.Add(timeout + r.cfg.Grace)) {
			return nil
		}
		found = append(found, Finding{
			TenantID: f.TenantID, Kind: domain.DivergenceTaskStuckPastTimeout, Subject: f.TaskID,
			OrderID: f.OrderID, FulfillmentPlanID: f.FulfillmentPlanID, TaskID: f.TaskID,
			Detail: fmt.Sprintf("task %s is %s since %s, past its %s timeout by %s",
				taskKey, status, since.UTC().Format(time.RFC3339), timeoutISO, now.Sub(since.Add(timeout)).Round(time.Second)),
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read tasks in flight: %w", err)
	}
	return found, nil
}

// needingRepair lists the task states the process must open a fallout case for.
func needingRepair() []string {
	var out []string
	for _, s := range domain.TaskStatuses {
		if s.NeedsRepair() {
			out = append(out, string(s))
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

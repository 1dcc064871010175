package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// AddPlan schedules a new plan with its tasks and dependencies for insertion.
func (t *Tx) AddPlan(p *domain.Plan) {
	t.plans = append(t.plans, &tracked[*domain.Plan]{agg: p, isNew: true})
}

// Plan loads a plan with its tasks (in plan order) and dependencies.
func (t *Tx) Plan(tenantID, id string) (*domain.Plan, error) {
	for _, p := range t.plans {
		if p.agg.ID == id && p.agg.TenantID == tenantID {
			return p.agg, nil
		}
	}
	p := &domain.Plan{}
	err := t.tx.QueryRow(t.ctx, `
		select id, tenant_id, order_id, status, completion_policy, catalog_version, version, created_at, updated_at
		from fulfillment_plan where tenant_id = $1 and id = $2`, tenantID, id).Scan(
		&p.ID, &p.TenantID, &p.OrderID, &p.Status, &p.CompletionPolicy, &p.CatalogVersion, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, mapError("load plan "+id, err)
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if p.Tasks, err = t.loadTasks(tenantID, id); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	t.plans = append(t.plans, &tracked[*domain.Plan]{agg: p, version: p.Version})
	return p, nil
}

// PlanOfOrder loads the current plan of an order.
func (t *Tx) PlanOfOrder(tenantID, orderID string) (*domain.Plan, error) {
	o, err := t.Order(tenantID, orderID)
	if err != nil {
		return nil, err
	}
	if o.FulfillmentPlanID == "" {
		return nil, domain.Errorf(domain.ENOTFOUND, "order %s has no fulfilment plan", orderID)
	}
	return t.Plan(tenantID, o.FulfillmentPlanID)
}

const taskColumns = `id, order_item_id, seq, task_key, component, task_type, owner_system, execution_mode, status, optional,
	input, input_snapshot_hash, retry_max_attempts, retry_backoff, timeout, soft_reminder_before, on_timeout, fallout_category,
	compensatable, compensation_task_type, reversible, requires_manual_review, attempts, manual_retries,
	last_failure_code, last_failure_message, external_correlation_id, response_hash, started_at, completed_at, version`

func (t *Tx) loadTasks(tenantID, planID string) ([]*domain.Task, error) {
	rows, err := t.tx.Query(t.ctx, `select `+taskColumns+` from fulfillment_task
		where tenant_id = $1 and fulfillment_plan_id = $2 order by seq`, tenantID, planID)
	if err != nil {
		return nil, mapError("load tasks", err)
	}
	tasks, err := pgx.CollectRows(rows, scanTask)
	if err != nil {
		return nil, mapError("load tasks", err)
	}
	byID := map[string]*domain.Task{}
	for _, task := range tasks {
		byID[task.ID] = task
	}
	deps, err := t.tx.Query(t.ctx, `
		select d.task_id, d.depends_on_task_id from fulfillment_task_dependency d
		join fulfillment_task t on t.tenant_id = d.tenant_id and t.id = d.depends_on_task_id
		where d.tenant_id = $1 and d.fulfillment_plan_id = $2 order by t.seq`, tenantID, planID)
	if err != nil {
		return nil, mapError("load dependencies", err)
	}
	var from, to string
	_, err = pgx.ForEachRow(deps, []any{&from, &to}, func() error {
		if task, ok := byID[from]; ok {
			task.DependsOn = append(task.DependsOn, to)
		}
		return nil
	})
	if err != nil {
		return nil, mapError("load dependencies", err)
	}
	return tasks, nil
}

func scanTask(r pgx.CollectableRow) (*domain.Task, error) {
	var t domain.Task
	var soft, compType, failCode, failMsg, extCorr, respHash *string
	var started, completed *time.Time
	err := r.Scan(&t.ID, &t.OrderItemID, &t.Seq, &t.Key, &t.Component, &t.Type, &t.OwnerSystem, &t.Mode, &t.Status, &t.Optional,
		&t.Input, &t.InputSnapshotHash, &t.Retry.MaxAttempts, &t.Retry.BackoffISO, &t.Timeout.TimeoutISO, &soft,
		&t.Timeout.OnTimeout, &t.Timeout.FalloutCategory, &t.Compensation.Compensatable, &compType,
		&t.Compensation.Reversible, &t.Compensation.RequiresManualReview, &t.Attempts, &t.ManualRetries,
		&failCode, &failMsg, &extCorr, &respHash, &started, &completed, &t.Version)
	if err != nil {
		return nil, err
	}
	t.Timeout.SoftReminderBeforeISO = str(soft)
	t.Compensation.CompensationTaskType = domain.TaskType(str(compType))
	t.LastFailureCode, t.LastFailureMessage, t.ExternalCorrelationID, t.ResponseHash = str(failCode), str(failMsg), str(extCorr), str(respHash)
	t.StartedAt, t.CompletedAt = tm(started), tm(completed)
	if err := parseTaskDurations(&t); err != nil {
		return nil, err
	}
	return &t, nil
}

// parseTaskDurations restores the durations from their ISO-8601 columns;
// the text is the stored truth so both forms always agree.
func parseTaskDurations(t *domain.Task) (err error) {
	if t.Retry.Backoff, err = domain.ParseISODuration(t.Retry.BackoffISO); err != nil {
		return err
	}
	if t.Timeout.Timeout, err = domain.ParseISODuration(t.Timeout.TimeoutISO); err != nil {
		return err
	}
	if t.Timeout.SoftReminderBeforeISO != "" {
		t.Timeout.SoftReminderBefore, err = domain.ParseISODuration(t.Timeout.SoftReminderBeforeISO)
	}
	return err
}

package postgres

import (
	"context"

	"github.com/orderfleet/orderfleet/internal/domain"
)

func (t *Tx) savePlan(tr *tracked[*domain.Plan]) error {
	p := tr.agg
	if tr.isNew {
		if err := t.insertPlan(p); err != nil {
			return err
		}
		tr.written = true
		return t.saveAttempts(p)
	}
	changed := p.ChangedTasks()
	if !p.HasPending() && len(changed) == 0 && len(p.PendingAttempts()) == 0 {
		return nil
	}
	// The plan row's version guards the whole graph: two workers settling
	// sibling tasks must not both compute "next ready" from stale state.
	tag, err := t.tx.Exec(t.ctx, `
		update fulfillment_plan set status = $4, updated_at = $5, version = version + 1
		where tenant_id = $1 and id = $2 and version = $3`,
		p.TenantID, p.ID, tr.version, p.Status, p.UpdatedAt)
	if err != nil {
		return mapError("update plan "+p.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return versionConflict("plan", p.ID, tr.version)
	}
	for _, task := range changed {
		tag, err := t.tx.Exec(t.ctx, `
			update fulfillment_task set status = $4, attempts = $5, manual_retries = $6, last_failure_code = $7,
			    last_failure_message = $8, external_correlation_id = $9, response_hash = $10, started_at = $11,
			    completed_at = $12, updated_at = $13, version = version + 1
			where tenant_id = $1 and id = $2 and version = $3`,
			p.TenantID, task.ID, task.Version, task.Status, task.Attempts, task.ManualRetries,
			nullString(task.LastFailureCode), nullString(task.LastFailureMessage), nullString(task.ExternalCorrelationID),
			nullString(task.ResponseHash), nullTime(task.StartedAt), nullTime(task.CompletedAt), p.UpdatedAt)
		if err != nil {
			return mapError("update task "+task.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return versionConflict("task", task.ID, task.Version)
		}
	}
	tr.written = true
	return t.saveAttempts(p)
}

func (t *Tx) insertPlan(p *domain.Plan) error {
	_, err := t.tx.Exec(t.ctx, `
		insert into fulfillment_plan (id, tenant_id, order_id, status, completion_policy, catalog_version, version, created_at, updated_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		p.ID, p.TenantID, p.OrderID, p.Status, p.CompletionPolicy, p.CatalogVersion, p.Version, p.CreatedAt, p.UpdatedAt)
	if err != nil {
		return mapError("insert plan "+p.ID, err)
	}
	for _, task := range p.Tasks {
		_, err := t.tx.Exec(t.ctx, `
			insert into fulfillment_task (id, tenant_id, order_id, fulfillment_plan_id, order_item_id, seq, task_key, component,
			    task_type, owner_system, execution_mode, status, optional, input, input_snapshot_hash, retry_max_attempts,
			    retry_backoff, timeout, soft_reminder_before, on_timeout, fallout_category, compensatable,
			    compensation_task_type, reversible, requires_manual_review, attempts, manual_retries, last_failure_code,
			    last_failure_message, external_correlation_id, response_hash, started_at, completed_at, version,
			    created_at, updated_at)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			    $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $35)`,
			task.ID, p.TenantID, p.OrderID, p.ID, task.OrderItemID, task.Seq, task.Key, task.Component,
			task.Type, task.OwnerSystem, task.Mode, task.Status, task.Optional, task.Input, task.InputSnapshotHash,
			task.Retry.MaxAttempts, task.Retry.BackoffISO, task.Timeout.TimeoutISO, nullString(task.Timeout.SoftReminderBeforeISO),
			task.Timeout.OnTimeout, task.Timeout.FalloutCategory, task.Compensation.Compensatable,
			nullString(string(task.Compensation.CompensationTaskType)), task.Compensation.Reversible,
			task.Compensation.RequiresManualReview, task.Attempts, task.ManualRetries, nullString(task.LastFailureCode),
			nullString(task.LastFailureMessage), nullString(task.ExternalCorrelationID), nullString(task.ResponseHash),
			nullTime(task.StartedAt), nullTime(task.CompletedAt), task.Version, p.CreatedAt)
		if err != nil {
			return mapError("insert task "+task.ID, err)
		}
	}
	for _, task := range p.Tasks {
		for _, dep := range task.DependsOn {
			_, err := t.tx.Exec(t.ctx, `
				insert into fulfillment_task_dependency (tenant_id, fulfillment_plan_id, task_id, depends_on_task_id)
				values ($1, $2, $3, $4)`, p.TenantID, p.ID, task.ID, dep)
			if err != nil {
				return mapError("insert dependency", err)
			}
		}
	}
	return nil
}

// GetPlan reads a plan with its tasks and dependencies.
func (s *Store) GetPlan(ctx context.Context, tenantID, id string) (*domain.Plan, error) {
	var p *domain.Plan
	err := s.Do(ctx, func(tx *Tx) (err error) {
		p, err = tx.Plan(tenantID, id)
		return err
	})
	return p, err
}

// UpdatePlan loads a plan, lets fn change tasks (start, complete, fail, ...)
// and stores tasks, attempts, audit and outbox rows together.
func (s *Store) UpdatePlan(ctx context.Context, tenantID, id string, fn func(*domain.Plan) error) error {
	return s.Do(ctx, func(tx *Tx) error {
		p, err := tx.Plan(tenantID, id)
		if err != nil {
			return err
		}
		return fn(p)
	})
}

package postgres

import (
	"context"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// AddWorkflowStartRequest schedules the start intent for insertion.
func (t *Tx) AddWorkflowStartRequest(r domain.WorkflowStartRequest) {
	t.starts = append(t.starts, r)
}

func (t *Tx) insertStartRequest(r domain.WorkflowStartRequest) error {
	_, err := t.tx.Exec(t.ctx, `
		insert into workflow_start_request (id, tenant_id, order_id, fulfillment_plan_id, process_id, business_key,
		    status, attempts, next_attempt_at, created_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, r.TenantID, r.OrderID, r.FulfillmentPlanID, r.ProcessID, r.BusinessKey, r.Status, r.Attempts,
		r.NextAttemptAt, r.CreatedAt)
	return mapError("insert workflow start request", err)
}

// ClaimExecution creates the plan's execution for a process instance, or
// returns the existing one when the same instance asks again (a retried
// load-plan job). Another instance gets duplicate_process_instance.
func (t *Tx) ClaimExecution(tenantID, orderID, planID, processInstanceKey string, cause domain.Cause) (domain.Execution, error) {
	at := cause.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	tag, err := t.tx.Exec(t.ctx, `
		insert into fulfillment_execution (id, tenant_id, order_id, fulfillment_plan_id, status, started_at, process_instance_key)
		values ($1, $2, $3, $4, $5, $6, $7)
		on conflict (tenant_id, order_id, fulfillment_plan_id) do nothing`,
		t.store.newID(), tenantID, orderID, planID, domain.ExecutionStarted, at, processInstanceKey)
	if err != nil {
		return domain.Execution{}, mapError("claim execution", err)
	}
	claimed := tag.RowsAffected() == 1
	var e domain.Execution
	var key *string
	var completed *time.Time
	err = t.tx.QueryRow(t.ctx, `
		select id, tenant_id, order_id, fulfillment_plan_id, status, process_instance_key, started_at, completed_at, version
		from fulfillment_execution where tenant_id = $1 and order_id = $2 and fulfillment_plan_id = $3`,
		tenantID, orderID, planID).Scan(&e.ID, &e.TenantID, &e.OrderID, &e.FulfillmentPlanID, &e.Status, &key,
		&e.StartedAt, &completed, &e.Version)
	if err != nil {
		return domain.Execution{}, mapError("load execution", err)
	}
	e.ProcessInstanceKey, e.CompletedAt, e.StartedAt = str(key), tm(completed), e.StartedAt.UTC()
	if err := e.CheckClaim(processInstanceKey); err != nil {
		return e, err
	}
	if e.ProcessInstanceKey == "" {
		_, err = t.tx.Exec(t.ctx, `update fulfillment_execution set process_instance_key = $3, version = version + 1
			where tenant_id = $1 and id = $2`, tenantID, e.ID, processInstanceKey)
		if err != nil {
			return e, mapError("claim execution", err)
		}
		e.ProcessInstanceKey = processInstanceKey
		claimed = true
	}
	if claimed {
		t.Record([]domain.AuditEntry{domain.ExecutionClaimAudit(e, cause)}, nil)
	}
	return e, nil
}

// ClaimExecution is Tx.ClaimExecution in its own transaction.
func (s *Store) ClaimExecution(ctx context.Context, tenantID, orderID, planID, processInstanceKey string, cause domain.Cause) (domain.Execution, error) {
	var e domain.Execution
	err := s.Do(ctx, func(tx *Tx) (err error) {
		e, err = tx.ClaimExecution(tenantID, orderID, planID, processInstanceKey, cause)
		return err
	})
	return e, err
}

package fulfillment

import (
	"context"
	"errors"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// PlanRef names a plan through its tenant and order; every command starts from it.
type PlanRef struct {
	TenantID          string
	OrderID           string
	FulfillmentPlanID string
	CorrelationID     string
}

// LoadPlanResult is what the BPMN routes on after loading or re-reading the plan.
type LoadPlanResult struct {
	PlanValid            bool
	DuplicateInstance    bool
	ExecutionID          string
	OrderVersion         int64
	ReadyTaskIDs         []string
	MoreReadyTasks       bool
	AllRequiredTasksDone bool
	Stuck                bool
	FalloutReason        string
	// ReadyTasks describe ReadyTaskIDs for routing: taskId, mode, timeout, resultMessage.
	ReadyTasks     []map[string]any
	OrderSuspended bool
	// FailedTaskID is the first required task that FAILED or TIMED_OUT, "" if none.
	FailedTaskID string
}

// LoadForWorkflow verifies the plan belongs to the order and the order may execute, claims the
// plan's execution for this process instance, starts fulfillment, and computes the ready tasks.
// It is safe to repeat: the same instance gets the same execution back.
func (s *Service) LoadForWorkflow(ctx context.Context, ref PlanRef, processInstanceKey, jobType string) (LoadPlanResult, error) {
	cause := workerCause(jobType, ref.CorrelationID)
	var res LoadPlanResult
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		res = LoadPlanResult{}
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			o, err := tx.Order(ref.TenantID, ref.OrderID)
			if err != nil {
				return err
			}
			if o.FulfillmentPlanID != ref.FulfillmentPlanID {
				return domain.Errorf(domain.EINVALID, "plan %s does not belong to order %s", ref.FulfillmentPlanID, ref.OrderID)
			}
			p, err := tx.Plan(ref.TenantID, ref.FulfillmentPlanID)
			if err != nil {
				return err
			}
			exec, err := tx.ClaimExecution(ref.TenantID, ref.OrderID, ref.FulfillmentPlanID, processInstanceKey, cause)
			if err != nil {
				return err
			}
			if err := claimWorkflowRef(tx, ref, processInstanceKey); err != nil {
				return err
			}
			if o.Status == domain.OrderFulfillmentReady {
				if err := o.StartFulfillment(cause); err != nil {
					return err
				}
			}
			if !o.AllowsTaskExecution() {
				res.FalloutReason = "order is " + string(o.Status)
				res.OrderSuspended = o.Status == domain.OrderSuspended
				res.ReadyTaskIDs, res.ReadyTasks = []string{}, []map[string]any{}
				return nil
			}
			progress := p.Progress()
			res = LoadPlanResult{
				PlanValid: true, ExecutionID: exec.ID, OrderVersion: o.Version,
				ReadyTaskIDs: nonNil(progress.ReadyTaskIDs), MoreReadyTasks: progress.MoreReadyTasks,
				AllRequiredTasksDone: progress.AllRequiredTasksDone, Stuck: progress.Stuck,
				ReadyTasks: readyTasks(p, progress.ReadyTaskIDs), FailedTaskID: firstFailedRequiredTask(p),
			}
			return nil
		})
	})
	if domain.ErrorCode(err) == domain.EDUPLICATEINSTANCE {
		return s.ignoreDuplicate(ctx, ref, processInstanceKey, cause)
	}
	return res, err
}

// ignoreDuplicate records that a second instance of the plan was told to end, and tells it so.
func (s *Service) ignoreDuplicate(ctx context.Context, ref PlanRef, duplicateKey string, cause domain.Cause) (LoadPlanResult, error) {
	err := s.store.Do(ctx, func(tx *postgres.Tx) error {
		var exec domain.Execution
		err := tx.Raw().QueryRow(ctx, `
			select id, tenant_id, order_id, fulfillment_plan_id, status, coalesce(process_instance_key, '')
			from fulfillment_execution where tenant_id = $1 and order_id = $2 and fulfillment_plan_id = $3`,
			ref.TenantID, ref.OrderID, ref.FulfillmentPlanID).
			Scan(&exec.ID, &exec.TenantID, &exec.OrderID, &exec.FulfillmentPlanID, &exec.Status, &exec.ProcessInstanceKey)
		if err != nil {
			return err
		}
		// One timeline entry per duplicate instance, however often its job is redelivered.
		var seen bool
		err = tx.Raw().QueryRow(ctx, `select exists(select 1 from audit_entry where tenant_id = $1 and order_id = $2
			and action = $3 and details->>'duplicateProcessInstanceKey' = $4)`,
			ref.TenantID, ref.OrderID, domain.AuditDuplicateInstance, duplicateKey).Scan(&seen)
		if err != nil || seen {
			return err
		}
		tx.Record([]domain.AuditEntry{domain.DuplicateInstanceAudit(exec, duplicateKey, cause)}, nil)
		return nil
	})
	if err != nil {
		return LoadPlanResult{}, errors.Join(errors.New("record duplicate instance"), err)
	}
	return LoadPlanResult{PlanValid: false, DuplicateInstance: true, ReadyTaskIDs: []string{}, ReadyTasks: []map[string]any{},
		FalloutReason: "plan is executed by another process instance"}, nil
}

// claimWorkflowRef points order_workflow_ref at the instance that claimed the plan; after a relay
// crash the relay may have recorded a duplicate's key, and the claimant must win.
func claimWorkflowRef(tx *postgres.Tx, ref PlanRef, processInstanceKey string) error {
	_, err := tx.Raw().Exec(tx.Context(), `
		insert into order_workflow_ref (tenant_id, order_id, fulfillment_plan_id, process_id, process_instance_key, status, started_at)
		values ($1, $2, $3, $4, $5, 'RUNNING', now())
		on conflict (tenant_id, order_id, fulfillment_plan_id) do update
		set process_instance_key = excluded.process_instance_key, status = 'RUNNING', version = order_workflow_ref.version + 1
		where order_workflow_ref.process_instance_key <> excluded.process_instance_key or order_workflow_ref.status <> 'RUNNING'`,
		ref.TenantID, ref.OrderID, ref.FulfillmentPlanID, domain.FulfillmentProcessID, processInstanceKey)
	return err
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

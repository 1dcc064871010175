package fulfillment

import (
	"context"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// FinalizeResult carries the order's end state to the BPMN's end-event routing.
type FinalizeResult struct {
	OrderStatus domain.OrderStatus
}

// Finalize completes the order when its completion policy allows it, and closes the execution
// and the workflow reference in the same transaction. A compensating order ends instead once its
// compensation plan is done (CANCELLED or COMPENSATED); while steps still await review or failed,
// its status is reported unchanged. A finalized order answers with its state.
func (s *Service) Finalize(ctx context.Context, ref PlanRef, jobType string) (FinalizeResult, error) {
	cause := workerCause(jobType, ref.CorrelationID)
	var res FinalizeResult
	var capturedAt time.Time // set only when this job moved the order to its end state
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		capturedAt = time.Time{}
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			o, p, err := loadOrderAndPlan(tx, ref)
			if err != nil {
				return err
			}
			if o.Status.IsEndState() {
				res.OrderStatus = o.Status // a redelivered job: already final, counted by the first
				return nil
			}
			if o.Status == domain.OrderCompensating {
				err = finishCompensation(tx, ref, o, p, cause, &res)
			} else if res.OrderStatus, err = o.Finalize(p, cause); err == nil {
				err = closeExecution(tx, ref, domain.ExecutionCompleted, res.OrderStatus)
			}
			if err == nil && o.Status.IsEndState() {
				capturedAt = o.CreatedAt
			}
			return err
		})
	})
	// Counted after the commit, so a rolled-back or redelivered finalize counts nothing.
	if err == nil && !capturedAt.IsZero() {
		s.metrics.ended(jobType, string(res.OrderStatus), time.Since(capturedAt))
	}
	return res, err
}

// finishCompensation ends a compensating order whose compensation plan completed.
func finishCompensation(tx *postgres.Tx, ref PlanRef, o *domain.Order, p *domain.Plan, cause domain.Cause, res *FinalizeResult) error {
	res.OrderStatus = o.Status
	cp, err := currentCompensation(tx, p)
	if err != nil || cp == nil || cp.Status != domain.CompensationCompleted {
		return err
	}
	if err := o.FinishCompensation(cp, cause); err != nil {
		return err
	}
	res.OrderStatus = o.Status
	exec := domain.ExecutionCompensated
	if o.Status == domain.OrderCancelled {
		exec = domain.ExecutionCancelled
	}
	return closeExecution(tx, ref, exec, o.Status)
}

// closeExecution ends the plan's execution and its workflow reference with the order's end state.
func closeExecution(tx *postgres.Tx, ref PlanRef, execStatus string, orderStatus domain.OrderStatus) error {
	_, err := tx.Raw().Exec(tx.Context(), `
		update fulfillment_execution set status = $4, completed_at = now(), version = version + 1
		where tenant_id = $1 and order_id = $2 and fulfillment_plan_id = $3`,
		ref.TenantID, ref.OrderID, ref.FulfillmentPlanID, execStatus)
	if err != nil {
		return err
	}
	_, err = tx.Raw().Exec(tx.Context(), `
		update order_workflow_ref set status = $4, ended_at = now(), version = version + 1
		where tenant_id = $1 and order_id = $2 and fulfillment_plan_id = $3`,
		ref.TenantID, ref.OrderID, ref.FulfillmentPlanID, string(orderStatus))
	return err
}

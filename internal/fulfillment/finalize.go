package fulfillment

import (
	"context"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// FinalizeResult carries the order's end state to the BPMN's end-event routing.
type FinalizeResult struct {
	OrderStatus domain.OrderStatus
}

// Finalize completes the order when its completion policy allows it, and closes the execution
// and the workflow reference in the same transaction. A finalized order answers with its state.
func (s *Service) Finalize(ctx context.Context, ref PlanRef, jobType string) (FinalizeResult, error) {
	cause := workerCause(jobType, ref.CorrelationID)
	var res FinalizeResult
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			o, p, err := loadOrderAndPlan(tx, ref)
			if err != nil {
				return err
			}
			if o.Status.IsEndState() {
				res.OrderStatus = o.Status // a redelivered job: already final
				return nil
			}
			if res.OrderStatus, err = o.Finalize(p, cause); err != nil {
				return err
			}
			_, err = tx.Raw().Exec(ctx, `
				update fulfillment_execution set status = $4, completed_at = now(), version = version + 1
				where tenant_id = $1 and order_id = $2 and fulfillment_plan_id = $3`,
				ref.TenantID, ref.OrderID, ref.FulfillmentPlanID, domain.ExecutionCompleted)
			if err != nil {
				return err
			}
			_, err = tx.Raw().Exec(ctx, `
				update order_workflow_ref set status = $4, ended_at = now(), version = version + 1
				where tenant_id = $1 and order_id = $2 and fulfillment_plan_id = $3`,
				ref.TenantID, ref.OrderID, ref.FulfillmentPlanID, string(res.OrderStatus))
			return err
		})
	})
	return res, err
}

package fulfillment

import (
	"context"
	"fmt"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// OwnerInstalledBase is the catalog owner of UPDATE_INSTALLED_BASE: the OMS itself. Its tasks
// change the installed base in the same transaction that completes them, with no adapter call.
const OwnerInstalledBase = "oms-installed-base"

// runInstalledBaseTask applies the asset impact of the task's order line and settles the task in
// one transaction. A line applied before is a no-op, so a redelivery changes nothing; an asset that
// moved on since the order was taken fails the task, which sends the plan to fallout.
func (s *Service) runInstalledBaseTask(ctx context.Context, ref PlanRef, taskID, key string, cause domain.Cause) (ExecuteTaskResult, error) {
	var res ExecuteTaskResult
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		res = ExecuteTaskResult{}
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			_, p, err := loadOrderAndPlan(tx, ref)
			if err != nil {
				return err
			}
			t, err := p.Task(taskID)
			if err != nil {
				return err
			}
			current, err := p.CurrentAttempt(taskID)
			if err != nil || t.Status != domain.TaskInProgress || current.IdempotencyKey != key {
				res = ExecuteTaskResult{TaskStatus: t.Status, NoEffect: true}
				return nil
			}
			impact, err := tx.ApplyAssetImpact(ref.TenantID, ref.OrderID, t.OrderItemID, cause)
			switch {
			case err != nil && isAssetConflict(err):
				_, err = p.FailTask(taskID, domain.TaskFailure{Code: ErrorInstalledBaseConflict, Message: err.Error()}, cause)
				res.FalloutReason = ErrorInstalledBaseConflict
			case err != nil:
				return err
			default:
				evidence := adapter.HashBytes([]byte(fmt.Sprintf("%s:%d:%s", impact.Asset.ID, impact.Asset.Version, impact.Asset.Status)))
				_, err = p.CompleteTask(taskID, domain.TaskResult{ResponseHash: evidence, ExternalCorrelationID: impact.Asset.ID}, cause)
			}
			res.TaskStatus = t.Status
			return err
		})
	})
	return res, err
}

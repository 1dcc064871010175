package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/telemetry"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// BPMN error codes thrown by the fulfillment commands.
const (
	ErrorInstalledBaseConflict = "INSTALLED_BASE_CONFLICT"
	ErrorCompensationFailed    = "COMPENSATION_FAILED"
)

// InstalledBaseResult counts what one apply did.
type InstalledBaseResult struct {
	Applied    int // lines whose asset changed now
	Duplicates int // lines applied by an earlier delivery
}

// itemConflict ties an installed-base refusal to the order line that caused it.
type itemConflict struct {
	item domain.OrderItem
	err  error
}

func (e *itemConflict) Error() string {
	return fmt.Sprintf("order line %d (%s %s): %v", e.item.LineNo, e.item.Action, e.item.ProductCode, e.err)
}

func (e *itemConflict) Unwrap() error { return e.err }

// ApplyInstalledBase applies the asset impact of every order line (seed 001 §18) in one
// transaction: either all lines are applied or none. A line applied before is a no-op, so a
// redelivered job writes nothing. An asset that changed since the order was taken is a business
// conflict the workflow turns into fallout.
func (s *Service) ApplyInstalledBase(ctx context.Context, ref PlanRef, jobType string) (InstalledBaseResult, error) {
	cause := workerCause(jobType, ref.CorrelationID)
	var res InstalledBaseResult
	// A conflict can also be a lost race with a redelivery of this job; reloading tells the two
	// apart, because the line then reads as already applied.
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		res = InstalledBaseResult{}
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			o, _, err := loadOrderAndPlan(tx, ref)
			if err != nil {
				return err
			}
			if o.Status != domain.OrderFulfilling && o.Status != domain.OrderCompleted && o.Status != domain.OrderPartiallyCompleted {
				return domain.Errorf(domain.ENOTELIGIBLE, "order %s is %s; the installed base is not changed", o.ID, o.Status)
			}
			c := cause
			c.At = time.Now().UTC()
			for _, it := range o.Items {
				imp, err := tx.ApplyAssetImpact(ref.TenantID, ref.OrderID, it.ID, c)
				if err != nil {
					return &itemConflict{item: it, err: err}
				}
				if imp.Duplicate {
					res.Duplicates++
				} else {
					res.Applied++
				}
			}
			return nil
		})
	})
	var conflict *itemConflict
	if errors.As(err, &conflict) && isAssetConflict(conflict.err) {
		s.log.Warn("installed base conflict; nothing applied", zap.String(telemetry.FieldOrderID, ref.OrderID),
			zap.String(telemetry.FieldOrderItemID, conflict.item.ID), zap.Error(err))
		return InstalledBaseResult{}, worker.Business(ErrorInstalledBaseConflict, err.Error(),
			map[string]any{"falloutReason": ErrorInstalledBaseConflict})
	}
	return res, err
}

// isAssetConflict: the asset moved on, exists already, is closed, or is missing.
func isAssetConflict(err error) bool {
	return domain.IsConflict(err) || domain.IsCode(err, domain.ENOTFOUND)
}

// findAssetConflict re-runs the domain's check without writing, to name the line whose asset
// conflicts for a fallout case; "" when every line applies (or was applied) cleanly.
func findAssetConflict(tx *postgres.Tx, o *domain.Order) (itemID, detail string, err error) {
	for _, it := range o.Items {
		rec, err := tx.AssetRecord(o.TenantID, domain.AssetIDForItem(it))
		if err != nil {
			return "", "", err
		}
		if _, err := domain.ApplyAssetImpact(o, it, rec, time.Now().UTC()); err != nil {
			if !isAssetConflict(err) {
				return "", "", err
			}
			return it.ID, (&itemConflict{item: it, err: err}).Error(), nil
		}
	}
	return "", "", nil
}

func (s *Service) handleInstalledBase(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, _, err := decodePlanRef(job, false)
	if err != nil {
		return worker.Result{}, err
	}
	if _, err := s.ApplyInstalledBase(ctx, ref, job.Type); err != nil {
		return worker.Result{}, err
	}
	return worker.Result{Variables: map[string]any{"installedBaseApplied": true}}, nil
}

package fulfillment

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/telemetry"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// stepClaim is what a compensation job found and, when key is set, must call.
type stepClaim struct {
	step   domain.CompensationStep
	source domain.Task
	key    string // idempotency key of the undo call; empty when nothing is to be called
	// blocker is the unsettled step this one waits for, if any.
	blocker *domain.CompensationStep
}

// ExecuteCompensationStep runs one compensation step: the undo call goes to the system that holds
// the effect, under the step's idempotency key. A step awaiting manual review is not run; a failed
// step is a business error the workflow turns into fallout. Settled steps are left alone.
func (s *Service) ExecuteCompensationStep(ctx context.Context, ref PlanRef, compensationPlanID, stepID, jobType string) (domain.StepStatus, error) {
	cause := workerCause(jobType, ref.CorrelationID)
	claim, err := s.claimStep(ctx, ref, compensationPlanID, stepID, cause)
	if err != nil {
		return "", err
	}
	log := s.log.With(zap.String(telemetry.FieldOrderID, ref.OrderID), zap.String("compensationStepId", stepID),
		zap.String(telemetry.FieldTaskType, string(claim.step.TaskType)), zap.String("stepStatus", string(claim.step.Status)))
	switch {
	case claim.blocker != nil && claim.blocker.Status == domain.StepAwaitingReview:
		log.Info("compensation step waits for a step awaiting manual review; not run", zap.String("blockingStepId", claim.blocker.ID))
		return claim.step.Status, nil
	case claim.blocker != nil:
		return "", compensationFailed(claim.step, fmt.Sprintf("waits for failed step %s", claim.blocker.ID))
	case claim.step.Status == domain.StepFailed:
		return "", compensationFailed(claim.step, claim.step.LastFailureCode)
	case claim.key == "":
		log.Info("compensation step needs no run (settled, or awaiting manual review); no effect")
		return claim.step.Status, nil
	}
	resp, err := s.caller.Call(ctx, adapter.Request{
		ExternalSystem: claim.source.OwnerSystem, Operation: string(claim.step.TaskType), IdempotencyKey: claim.key,
		TenantID: ref.TenantID, OrderID: ref.OrderID, TaskID: claim.source.ID, Input: claim.source.Input, CorrelationID: ref.CorrelationID,
	})
	if err != nil {
		err = fmt.Errorf("%s %s: %w", claim.source.OwnerSystem, claim.step.TaskType, err)
		if adapter.IsPermanent(err) {
			return "", worker.BadData(err)
		}
		return "", worker.Transient(err, 0) // the step stays IN_PROGRESS and is called again under the same key
	}
	status, noEffect, err := s.settleStep(ctx, ref, compensationPlanID, stepID, claim.key, resp, cause)
	if err != nil {
		return "", err
	}
	if status == domain.StepFailed {
		if !noEffect {
			s.metrics.compensationFailed.WithLabelValues(jobType).Inc()
		}
		claim.step.LastFailureCode = compensationFailureCode(resp)
		return "", compensationFailed(claim.step, claim.step.LastFailureCode)
	}
	log.Info("compensation step settled", zap.String(telemetry.FieldStateAfter, string(status)), zap.Bool("noEffect", noEffect))
	return status, nil
}

// claimStep starts a ready step, or reports what stops it.
func (s *Service) claimStep(ctx context.Context, ref PlanRef, cpID, stepID string, cause domain.Cause) (stepClaim, error) {
	var claim stepClaim
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		claim = stepClaim{}
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			cp, p, st, err := loadCompensationStep(tx, ref, cpID, stepID)
			if err != nil {
				return err
			}
			src, err := p.Task(st.SourceTaskID)
			if err != nil {
				return err
			}
			claim.step, claim.source = *st, *src
			switch st.Status {
			case domain.StepInProgress:
				claim.key = stepKey(cp, st)
			case domain.StepPending:
				if claim.blocker = unsettledPredecessor(cp, st); claim.blocker != nil {
					if claim.blocker.Status == domain.StepPending || claim.blocker.Status == domain.StepInProgress {
						return domain.Errorf(domain.ENOTELIGIBLE, "compensation step %s waits for step %s (%s)", st.ID, claim.blocker.ID, claim.blocker.Status)
					}
					return nil
				}
				if claim.key, err = cp.StartStep(p, stepID, cause); err != nil {
					return err
				}
				claim.step = *st
			}
			return nil
		})
	})
	return claim, err
}

// settleStep records the undo's answer unless another delivery already did.
func (s *Service) settleStep(ctx context.Context, ref PlanRef, cpID, stepID, key string, resp adapter.Response, cause domain.Cause) (domain.StepStatus, bool, error) {
	var status domain.StepStatus
	var noEffect bool
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			cp, p, st, err := loadCompensationStep(tx, ref, cpID, stepID)
			if err != nil {
				return err
			}
			if st.Status != domain.StepInProgress || stepKey(cp, st) != key {
				status, noEffect = st.Status, true
				return nil
			}
			if resp.Outcome == adapter.OutcomeRejected {
				err = cp.FailStep(p, stepID, compensationFailureCode(resp), cause)
			} else {
				// ACCEPTED counts as done: the system took the undo request under our key, and no
				// workflow path waits for a compensation callback.
				err = cp.CompleteStep(p, stepID, cause)
			}
			status, noEffect = st.Status, false
			return err
		})
	})
	return status, noEffect, err
}

func loadCompensationStep(tx *postgres.Tx, ref PlanRef, cpID, stepID string) (*domain.CompensationPlan, *domain.Plan, *domain.CompensationStep, error) {
	_, p, err := loadOrderAndPlan(tx, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	cp, err := tx.CompensationPlan(ref.TenantID, cpID)
	if err != nil {
		return nil, nil, nil, err
	}
	if cp.FulfillmentPlanID != p.ID || cp.OrderID != ref.OrderID {
		return nil, nil, nil, domain.Errorf(domain.EINVALID, "compensation plan %s does not belong to plan %s", cpID, p.ID)
	}
	st, err := cp.Step(stepID)
	return cp, p, st, err
}

// stepKey is the idempotency key of the step's current attempt, as StartStep issued it.
func stepKey(cp *domain.CompensationPlan, st *domain.CompensationStep) string {
	return domain.IdempotencyKey(cp.TenantID, cp.OrderID, st.SourceTaskID, domain.AttemptPurpose(domain.PurposeCompensate, st.Attempts))
}

// unsettledPredecessor is the first step this one must wait for, nil if it may run.
func unsettledPredecessor(cp *domain.CompensationPlan, st *domain.CompensationStep) *domain.CompensationStep {
	for _, id := range st.DependsOn {
		if d, err := cp.Step(id); err == nil && d.Status != domain.StepCompleted && d.Status != domain.StepDeclined {
			return d
		}
	}
	return nil
}

func compensationFailureCode(resp adapter.Response) string {
	if resp.ReasonCode != "" {
		return resp.ReasonCode
	}
	return "COMPENSATION_REJECTED"
}

func compensationFailed(st domain.CompensationStep, reason string) error {
	return worker.Business(ErrorCompensationFailed,
		fmt.Sprintf("compensation step %s (%s of task %s) failed: %s", st.ID, st.TaskType, st.SourceTaskID, reason),
		map[string]any{"falloutReason": ErrorCompensationFailed})
}

func (s *Service) handleCompensationStep(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, _, err := decodePlanRef(job, false)
	if err != nil {
		return worker.Result{}, err
	}
	var v struct {
		CompensationPlanID string `json:"compensationPlanId"`
		StepID             string `json:"currentCompensationStepId"`
	}
	if err := job.Decode(&v); err != nil {
		return worker.Result{}, err
	}
	for name, id := range map[string]string{"compensationPlanId": v.CompensationPlanID, "currentCompensationStepId": v.StepID} {
		if !domain.IsUUID(id) {
			return worker.Result{}, worker.BadDataRunbookf(worker.RunbookSerializationFailure, "variable %s = %q is not a UUID", name, id)
		}
	}
	_, err = s.ExecuteCompensationStep(ctx, ref, v.CompensationPlanID, v.StepID, job.Type)
	return worker.Result{}, err
}

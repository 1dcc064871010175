package fulfillment

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/failpoint"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// ExecuteTaskResult is what the BPMN learns after one task ran.
type ExecuteTaskResult struct {
	TaskStatus    domain.TaskStatus
	FalloutReason string
	// NoEffect is set when the job found the task already settled (a redelivery): nothing was done.
	NoEffect bool
}

// ExecuteTask runs one AUTOMATED_SYNC task: claim an attempt (or reuse the open one after a
// redelivery), call the owner system with the attempt's idempotency key, then persist the result.
// The call happens outside any transaction; the key makes a repeated call the same effect.
func (s *Service) ExecuteTask(ctx context.Context, ref PlanRef, taskID, jobType string) (ExecuteTaskResult, error) {
	cause := workerCause(jobType, ref.CorrelationID)
	attempt, task, settled, err := s.claimAttempt(ctx, ref, taskID, cause)
	if err != nil || settled != "" {
		if settled != "" {
			s.log.Info("task already settled; job has no effect", zap.String("orderId", ref.OrderID),
				zap.String("fulfillmentTaskId", taskID), zap.String("taskStatus", string(settled)))
		}
		return ExecuteTaskResult{TaskStatus: settled, NoEffect: settled != ""}, err
	}
	if attemptStartedNow(attempt) {
		s.metrics.taskStarted.WithLabelValues(jobType).Inc()
	}
	if task.OwnerSystem == OwnerInstalledBase {
		return s.runInstalledBaseTask(ctx, ref, taskID, attempt.IdempotencyKey, cause)
	}
	resp, err := s.caller.Call(ctx, adapter.Request{
		ExternalSystem: attempt.ExternalSystem, Operation: string(task.Type), IdempotencyKey: attempt.IdempotencyKey,
		TenantID: ref.TenantID, OrderID: ref.OrderID, TaskID: taskID, Input: task.Input, CorrelationID: ref.CorrelationID,
	})
	// A crash here is the dangerous window: the effect happened but is not recorded. The retried
	// job calls again with the same key and the partner answers with the first result.
	failpoint.Crash("execute-after-call")
	if err != nil {
		err = fmt.Errorf("%s %s: %w", attempt.ExternalSystem, task.Type, err)
		if adapter.IsPermanent(err) {
			return ExecuteTaskResult{}, worker.BadDataRunbookf(worker.RunbookExternalRejection, "%w", err) // the request itself is wrong: a person must look
		}
		// The attempt stays open; the job's retry calls again with the same key.
		return ExecuteTaskResult{}, worker.Transient(err, task.Retry.Backoff)
	}
	return s.settleAttempt(ctx, ref, taskID, attempt.IdempotencyKey, resp, cause)
}

// claimAttempt starts the task's next attempt, or returns the open one. settled is non-empty when
// the task already reached a state this job must not touch.
func (s *Service) claimAttempt(ctx context.Context, ref PlanRef, taskID string, cause domain.Cause) (domain.Attempt, *domain.Task, domain.TaskStatus, error) {
	var attempt domain.Attempt
	var task *domain.Task
	var settled domain.TaskStatus
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		settled = ""
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			o, p, err := loadOrderAndPlan(tx, ref)
			if err != nil {
				return err
			}
			if task, err = p.Task(taskID); err != nil {
				return err
			}
			switch {
			case task.Status == domain.TaskInProgress:
				attempt, err = p.CurrentAttempt(taskID)
				return err
			case task.Status != domain.TaskReady && task.Status != domain.TaskPending:
				settled = task.Status
				return nil
			case !o.AllowsTaskExecution():
				return domain.Errorf(domain.ENOTELIGIBLE, "order %s is %s; task %s is not started", o.ID, o.Status, taskID)
			}
			attempt, err = p.StartTask(taskID, domain.AttemptRequest{RequestHash: task.InputSnapshotHash}, cause)
			return err
		})
	})
	return attempt, task, settled, err
}

// settleAttempt records the answer of the call, unless another delivery already did.
func (s *Service) settleAttempt(ctx context.Context, ref PlanRef, taskID, key string, resp adapter.Response, cause domain.Cause) (ExecuteTaskResult, error) {
	var res ExecuteTaskResult
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		return s.store.UpdatePlan(ctx, ref.TenantID, ref.FulfillmentPlanID, func(p *domain.Plan) error {
			t, err := p.Task(taskID)
			if err != nil {
				return err
			}
			current, err := p.CurrentAttempt(taskID)
			if err != nil || t.Status != domain.TaskInProgress || current.IdempotencyKey != key {
				res = ExecuteTaskResult{TaskStatus: t.Status, NoEffect: true}
				return nil
			}
			switch resp.Outcome {
			case adapter.OutcomeCompleted:
				_, err = p.CompleteTask(taskID, domain.TaskResult{ResponseHash: resp.ResponseHash, ExternalCorrelationID: resp.ExternalCorrelationID}, cause)
			case adapter.OutcomeAccepted:
				err = p.SubmitTask(taskID, resp.ExternalCorrelationID, cause)
			default:
				_, err = p.FailTask(taskID, domain.TaskFailure{Code: resp.ReasonCode, Message: resp.Reason}, cause)
				res.FalloutReason = resp.ReasonCode
			}
			res.TaskStatus = t.Status
			return err
		})
	})
	return res, err
}

func loadOrderAndPlan(tx *postgres.Tx, ref PlanRef) (*domain.Order, *domain.Plan, error) {
	o, err := tx.Order(ref.TenantID, ref.OrderID)
	if err != nil {
		return nil, nil, err
	}
	if o.FulfillmentPlanID != ref.FulfillmentPlanID {
		return nil, nil, domain.Errorf(domain.EINVALID, "plan %s does not belong to order %s", ref.FulfillmentPlanID, ref.OrderID)
	}
	p, err := tx.Plan(ref.TenantID, ref.FulfillmentPlanID)
	return o, p, err
}

package fulfillment

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/telemetry"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// SubmitResult tells the BPMN whether to wait for the task's result message.
type SubmitResult struct {
	// TaskSettled is true when the task needs no wait: the system answered at once, or the task
	// had already settled before this job ran.
	TaskSettled bool
	TaskStatus  domain.TaskStatus
	NoEffect    bool
}

// SubmitExternalTask sends an AUTOMATED_ASYNC task's request (seed 001 §10). An accepted request
// moves the task to SUBMITTED and records the external call in the same transaction; the
// callback settles it later. A task already submitted or settled is not called again.
func (s *Service) SubmitExternalTask(ctx context.Context, ref PlanRef, taskID, jobType string) (SubmitResult, error) {
	cause := workerCause(jobType, ref.CorrelationID)
	attempt, task, settled, err := s.claimAttempt(ctx, ref, taskID, cause)
	if err != nil {
		return SubmitResult{}, err
	}
	if settled != "" {
		s.log.Info("task already submitted or settled; no request sent", taskFields(ref, taskID, settled)...)
		return submitOutcome(settled, true), nil
	}
	if attemptStartedNow(attempt) {
		s.metrics.taskStarted.WithLabelValues(jobType).Inc()
	}
	resp, err := s.caller.Call(ctx, adapter.Request{
		ExternalSystem: attempt.ExternalSystem, Operation: string(task.Type), IdempotencyKey: attempt.IdempotencyKey,
		TenantID: ref.TenantID, OrderID: ref.OrderID, TaskID: taskID, Input: task.Input, CorrelationID: ref.CorrelationID,
	})
	if err != nil {
		err = fmt.Errorf("%s %s: %w", attempt.ExternalSystem, task.Type, err)
		if adapter.IsPermanent(err) {
			return SubmitResult{}, worker.BadDataRunbookf(worker.RunbookExternalRejection, "%w", err)
		}
		// The attempt stays IN_PROGRESS; the retried job calls again under the same key.
		return SubmitResult{}, worker.Transient(err, task.Retry.Backoff)
	}
	res, err := s.recordSubmission(ctx, ref, taskID, attempt.IdempotencyKey, resp, cause)
	if err == nil && !res.NoEffect {
		s.metrics.settled(jobType, string(res.TaskStatus))
	}
	return res, err
}

// recordSubmission persists the answer, unless another delivery already did.
func (s *Service) recordSubmission(ctx context.Context, ref PlanRef, taskID, key string, resp adapter.Response, cause domain.Cause) (SubmitResult, error) {
	var res SubmitResult
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
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
				res = submitOutcome(t.Status, true)
				return nil
			}
			switch resp.Outcome {
			case adapter.OutcomeAccepted:
				if err := p.SubmitTask(taskID, resp.ExternalCorrelationID, cause); err != nil {
					return err
				}
				err = recordExternalCall(tx, p, t, key, resp, time.Now().UTC())
			case adapter.OutcomeCompleted:
				_, err = p.CompleteTask(taskID, domain.TaskResult{ResponseHash: resp.ResponseHash, ExternalCorrelationID: resp.ExternalCorrelationID}, cause)
			default:
				_, err = p.FailTask(taskID, domain.TaskFailure{Code: resp.ReasonCode, Message: resp.Reason}, cause)
			}
			res = submitOutcome(t.Status, false)
			return err
		})
	})
	return res, err
}

// submitOutcome: SUBMITTED and WAITING tasks wait for their result; every other state skips it.
// An IN_PROGRESS task seen by a redelivery is left to the delivery that holds its call.
func submitOutcome(status domain.TaskStatus, noEffect bool) SubmitResult {
	wait := status == domain.TaskSubmitted || status == domain.TaskWaiting || status == domain.TaskInProgress
	return SubmitResult{TaskSettled: !wait, TaskStatus: status, NoEffect: noEffect}
}

// attemptStartedNow tells a fresh attempt from a reclaimed one: claimAttempt hands StartTask the
// input snapshot hash as the request hash, while a reclaimed in-flight attempt is rebuilt without it.
func attemptStartedNow(a domain.Attempt) bool { return a.RequestHash != "" }

func taskFields(ref PlanRef, taskID string, status domain.TaskStatus) []zap.Field {
	return []zap.Field{
		zap.String(telemetry.FieldTenantID, ref.TenantID), zap.String(telemetry.FieldOrderID, ref.OrderID),
		zap.String(telemetry.FieldFulfillmentPlanID, ref.FulfillmentPlanID),
		zap.String(telemetry.FieldFulfillmentTaskID, taskID), zap.String("taskStatus", string(status)),
	}
}

func (s *Service) handleSubmit(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, taskID, err := decodePlanRef(job, true)
	if err != nil {
		return worker.Result{}, err
	}
	res, err := s.SubmitExternalTask(ctx, ref, taskID, job.Type)
	if err != nil {
		return worker.Result{}, err
	}
	return worker.Result{Variables: map[string]any{"taskSettled": res.TaskSettled}}, nil
}

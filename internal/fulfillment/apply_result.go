package fulfillment

import (
	"context"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// ApplyResultOutcome is the task's state after its external result was applied.
type ApplyResultOutcome struct {
	TaskOutcome domain.TaskStatus
	NoEffect    bool
}

// ApplyExternalResult settles a waiting task with the partner's answer the correlation router
// delivered. The answer is read from the stored callback evidence, never from the message: the
// message only names the event. A task that already settled is left alone (a duplicate result).
func (s *Service) ApplyExternalResult(ctx context.Context, ref PlanRef, taskID, resultEventID, jobType string) (ApplyResultOutcome, error) {
	if !domain.IsUUID(resultEventID) {
		return ApplyResultOutcome{}, worker.BadDataRunbookf(worker.RunbookCorrelationFailure, "missing external correlation: variable externalResultEventId = %q is not an event id; "+
			"the message that ended the wait of task %s named no result", resultEventID, taskID)
	}
	cause := workerCause(jobType, ref.CorrelationID)
	var res ApplyResultOutcome
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
			if !t.Status.InFlight() {
				res = ApplyResultOutcome{TaskOutcome: t.Status, NoEffect: true}
				return nil
			}
			ev, err := loadResultEvidence(tx, ref, taskID, resultEventID)
			if err != nil {
				return err
			}
			if ev.ExternalCorrelationID != t.ExternalCorrelationID {
				return worker.BadDataRunbookf(worker.RunbookCorrelationFailure, "missing external correlation: callback evidence %s answers external call %s, "+
					"task %s waits for %s (a result of an earlier attempt?)", ev.ID, ev.ExternalCorrelationID, taskID, t.ExternalCorrelationID)
			}
			c := cause
			c.EvidenceRef = "callback_evidence:" + ev.ID
			if ev.Outcome == callbackCompleted {
				_, err = p.CompleteTask(taskID, domain.TaskResult{ResponseHash: ev.PayloadHash, ExternalCorrelationID: ev.ExternalCorrelationID}, c)
			} else {
				_, err = p.FailTask(taskID, domain.TaskFailure{Code: ev.failureCode(), Message: ev.Reason}, c)
			}
			if err != nil {
				return err
			}
			res = ApplyResultOutcome{TaskOutcome: t.Status}
			return settleExternalCall(tx, ref.TenantID, ev, time.Now().UTC())
		})
	})
	if err != nil {
		return ApplyResultOutcome{}, err
	}
	if res.NoEffect {
		s.log.Info("task already settled; external result has no effect", taskFields(ref, taskID, res.TaskOutcome)...)
	} else {
		s.metrics.settled(jobType, string(res.TaskOutcome))
	}
	return res, nil
}

func (s *Service) handleApplyResult(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, taskID, err := decodePlanRef(job, true)
	if err != nil {
		return worker.Result{}, err
	}
	var v struct {
		ExternalResultEventID string `json:"externalResultEventId"`
	}
	if err := job.Decode(&v); err != nil {
		return worker.Result{}, err
	}
	res, err := s.ApplyExternalResult(ctx, ref, taskID, v.ExternalResultEventID, job.Type)
	if err != nil {
		return worker.Result{}, err
	}
	return worker.Result{Variables: map[string]any{"taskOutcome": string(res.TaskOutcome)}}, nil
}

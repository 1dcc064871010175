package fulfillment

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// TimeoutNoAction is the timeoutAction of a timer that fired for a task that settled meanwhile.
const TimeoutNoAction = "NONE"

// TimeoutResult tells the BPMN where a fired timer leads.
type TimeoutResult struct {
	// Action is what was done: OPEN_FALLOUT and ESCALATE opened a case, RETRY put the task back
	// to READY, COMPENSATE asks for compensation, NONE means the task had settled.
	Action        string
	TaskOutcome   domain.TaskStatus
	FalloutCaseID string
	NoEffect      bool

	falloutOpened   bool
	falloutCategory domain.FalloutCategory
}

// ApplyTimeout applies a task's hard timeout (seed 001 §14): it verifies the task still waits,
// marks it TIMED_OUT with the timer as evidence, and acts on the task's timeout policy in the same
// transaction. A RETRY policy with no attempt left opens fallout instead.
func (s *Service) ApplyTimeout(ctx context.Context, ref PlanRef, taskID, evidenceRef, jobType string) (TimeoutResult, error) {
	cause := workerCause(jobType, ref.CorrelationID)
	cause.ReasonCode, cause.EvidenceRef = "TASK_TIMEOUT", evidenceRef
	var res TimeoutResult
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		res = TimeoutResult{}
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
				res = timeoutSeenBefore(t)
				return nil
			}
			c := cause
			c.Reason = "no result within " + t.Timeout.TimeoutISO
			out, err := p.TimeoutTask(taskID, c)
			if err != nil {
				return err
			}
			if err := timeOutExternalCall(tx, ref.TenantID, t, time.Now().UTC()); err != nil {
				return err
			}
			res = TimeoutResult{Action: string(effectiveTimeoutAction(t.Timeout.OnTimeout, out.CanRetry)), TaskOutcome: domain.TaskTimedOut}
			switch domain.TimeoutAction(res.Action) {
			case domain.OnTimeoutRetry:
				_, err = p.RetryTask(taskID, c)
			case domain.OnTimeoutOpenFallout, domain.OnTimeoutEscalate:
				escalate := res.Action == string(domain.OnTimeoutEscalate)
				facts := falloutFacts{Task: t, Category: out.FalloutCategory, Reason: c.Reason, Source: t.OwnerSystem,
					Severity: severity(t, out.FalloutCategory, escalate)}
				c.ReasonCode = string(out.FalloutCategory)
				res.falloutCategory = out.FalloutCategory
				res.FalloutCaseID, res.falloutOpened, err = openCase(tx, p, facts, c)
			}
			return err
		})
	})
	if err != nil {
		return TimeoutResult{}, err
	}
	fields := append(taskFields(ref, taskID, res.TaskOutcome), zap.String("timeoutAction", res.Action))
	if res.NoEffect {
		s.log.Info("timer fired for a task no longer in flight; no effect", fields...)
		return res, nil
	}
	s.metrics.taskTimeout.WithLabelValues(jobType).Inc()
	if res.falloutOpened {
		s.metrics.fallout.WithLabelValues(jobType, string(res.falloutCategory)).Inc()
	}
	s.log.Info("task timed out", append(fields, zap.String("falloutCaseId", res.FalloutCaseID))...)
	return res, nil
}

// effectiveTimeoutAction is the policy's action, except that a RETRY without attempts left cannot
// retry and goes to fallout.
func effectiveTimeoutAction(policy domain.TimeoutAction, canRetry bool) domain.TimeoutAction {
	if policy == domain.OnTimeoutRetry && !canRetry {
		return domain.OnTimeoutOpenFallout
	}
	return policy
}

// timeoutSeenBefore answers a redelivered job with what the first delivery decided, and a timer
// that lost the race against the task's result with NONE.
func timeoutSeenBefore(t *domain.Task) TimeoutResult {
	switch {
	case t.Status == domain.TaskTimedOut:
		return TimeoutResult{Action: string(effectiveTimeoutAction(t.Timeout.OnTimeout, false)), TaskOutcome: domain.TaskTimedOut, NoEffect: true}
	case t.Status == domain.TaskReady && t.LastFailureCode == "TIMEOUT":
		return TimeoutResult{Action: string(domain.OnTimeoutRetry), TaskOutcome: domain.TaskTimedOut, NoEffect: true}
	}
	return TimeoutResult{Action: TimeoutNoAction, TaskOutcome: t.Status, NoEffect: true}
}

func (s *Service) handleTimeout(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, taskID, err := decodePlanRef(job, true)
	if err != nil {
		return worker.Result{}, err
	}
	// The fired timer is the evidence: its process instance and job name it in the audit trail.
	evidence := fmt.Sprintf("zeebe:process-instance:%d:job:%d", job.ProcessInstanceKey, job.Key)
	res, err := s.ApplyTimeout(ctx, ref, taskID, evidence, job.Type)
	if err != nil {
		return worker.Result{}, err
	}
	return worker.Result{Variables: map[string]any{"timeoutAction": res.Action, "taskOutcome": string(res.TaskOutcome)}}, nil
}

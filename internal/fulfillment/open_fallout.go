package fulfillment

import (
	"context"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/telemetry"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// OpenFalloutRequest is what the workflow knows about the problem; every field may be empty, and
// none of them is trusted beyond naming what to look at.
type OpenFalloutRequest struct {
	TaskID   string
	Reason   string // falloutReason: free text or a category name
	Category string // falloutCategory
}

// OpenFalloutResult names the case the workflow waits on.
type OpenFalloutResult struct {
	FalloutCaseID string
	Created       bool
}

// OpenFallout opens the fallout case of a failing task (seed 001 §17), or of the plan when no task
// is at fault. One case per failing task: a case still open for it is returned instead.
func (s *Service) OpenFallout(ctx context.Context, ref PlanRef, req OpenFalloutRequest, jobType string) (OpenFalloutResult, error) {
	category := domain.FalloutCategory(req.Category)
	if req.Category != "" && !category.Valid() {
		return OpenFalloutResult{}, worker.BadDataRunbookf(worker.RunbookSerializationFailure, "variable falloutCategory = %q is not a fallout category", req.Category)
	}
	if category == "" && domain.FalloutCategory(req.Reason).Valid() {
		category = domain.FalloutCategory(req.Reason)
	}
	cause := workerCause(jobType, ref.CorrelationID)
	var res OpenFalloutResult
	var facts falloutFacts
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			o, p, err := loadOrderAndPlan(tx, ref)
			if err != nil {
				return err
			}
			if facts, err = resolveFallout(tx, o, p, req.TaskID, category, req.Reason); err != nil {
				return err
			}
			c := cause
			c.ReasonCode, c.Reason = string(facts.Category), req.Reason
			res.FalloutCaseID, res.Created, err = openCase(tx, p, facts, c)
			return err
		})
	})
	if err != nil {
		return OpenFalloutResult{}, err
	}
	log := s.log.With(zap.String(telemetry.FieldOrderID, ref.OrderID), zap.String(telemetry.FieldFalloutCaseID, res.FalloutCaseID),
		zap.String("category", string(facts.Category)))
	if res.Created {
		s.metrics.fallout.WithLabelValues(jobType, string(facts.Category)).Inc()
		log.Info("fallout case opened")
	} else {
		log.Info("fallout case already open; returned it")
	}
	return res, nil
}

// resolveFallout finds what the case is about: the named task, the item whose asset conflicts,
// or the first required task that failed. The category comes from the workflow when it named
// one, else from the task's own failure.
func resolveFallout(tx *postgres.Tx, o *domain.Order, p *domain.Plan, taskID string, category domain.FalloutCategory, reason string) (falloutFacts, error) {
	f := falloutFacts{Category: category, Reason: reason, Source: sourceOMS}
	switch {
	case taskID != "":
		t, err := p.Task(taskID)
		if err != nil {
			return f, err
		}
		f.Task = t
	case category == domain.FalloutInstalledBaseConflict:
		item, detail, err := findAssetConflict(tx, o)
		if err != nil {
			return f, err
		}
		f.Item, f.Detail, f.Source = item, detail, sourceInstalledBase
	default:
		f.Task = firstUnsuccessfulTask(p, category)
	}
	if f.Category == "" {
		f.Category = domain.FalloutInvalidDecompositionData // nothing failed: the plan itself cannot run
		if f.Task != nil {
			f.Category = categoryOfTask(f.Task)
		}
	}
	f.Severity = severity(f.Task, f.Category, false)
	return f, nil
}

// firstUnsuccessfulTask is the required task that stopped the plan: a failed compensation for a
// compensation fallout, else a FAILED or TIMED_OUT task.
func firstUnsuccessfulTask(p *domain.Plan, category domain.FalloutCategory) *domain.Task {
	for _, t := range p.Tasks {
		if category == domain.FalloutCompensationFailed {
			if t.Status == domain.TaskCompensationFailed {
				return t
			}
			continue
		}
		if !t.Optional && (t.Status == domain.TaskFailed || t.Status == domain.TaskTimedOut) {
			return t
		}
	}
	return nil
}

func (s *Service) handleOpenFallout(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, _, err := decodePlanRef(job, false)
	if err != nil {
		return worker.Result{}, err
	}
	var v struct {
		CurrentTaskID   string `json:"currentTaskId"`
		FailedTaskID    string `json:"failedTaskId"`
		FalloutReason   string `json:"falloutReason"`
		FalloutCategory string `json:"falloutCategory"`
	}
	if err := job.Decode(&v); err != nil {
		return worker.Result{}, err
	}
	req := OpenFalloutRequest{TaskID: v.CurrentTaskID, Reason: v.FalloutReason, Category: v.FalloutCategory}
	if req.TaskID == "" {
		req.TaskID = v.FailedTaskID
	}
	if req.TaskID != "" && !domain.IsUUID(req.TaskID) {
		return worker.Result{}, worker.BadDataRunbookf(worker.RunbookSerializationFailure, "variable currentTaskId/failedTaskId = %q is not a UUID", req.TaskID)
	}
	res, err := s.OpenFallout(ctx, ref, req, job.Type)
	if err != nil {
		return worker.Result{}, err
	}
	return worker.Result{Variables: map[string]any{"falloutCaseId": res.FalloutCaseID}}, nil
}

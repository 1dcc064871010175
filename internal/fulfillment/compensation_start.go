package fulfillment

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/telemetry"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// CompensationStart names the compensation plan the workflow executes.
type CompensationStart struct {
	CompensationPlanID string
	StepIDs            []string // in execution order: later effects are undone first
	// Needed is false when nothing is left to undo (no completed compensatable task).
	Needed  bool
	Created bool
}

// StartCompensation moves the order to COMPENSATING and builds the undo plan of its completed
// compensatable tasks (seed 001 §16); tasks not started yet are cancelled. A compensation already
// planned for the fulfilment plan is returned instead of a second one.
func (s *Service) StartCompensation(ctx context.Context, ref PlanRef, reason, jobType string) (CompensationStart, error) {
	cause := workerCause(jobType, ref.CorrelationID)
	var res CompensationStart
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		res = CompensationStart{}
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			o, p, err := loadOrderAndPlan(tx, ref)
			if err != nil {
				return err
			}
			code := reason
			if code == "" {
				code = o.CancellationCode
			}
			if code == "" {
				return worker.BadDataf("variable compensationReason is missing and order %s records no cancellation reason", o.ID)
			}
			c := cause
			c.ReasonCode = code
			cp, err := currentCompensation(tx, p)
			if err != nil {
				return err
			}
			if cp == nil {
				if cp, err = buildCompensation(o, p, code, c); err != nil {
					return err
				}
				tx.AddCompensationPlan(cp)
				res.Created = true
			} else if o.Status != domain.OrderCompensating && !o.Status.IsClosed() {
				// the order left COMPENSATING while its compensation is unfinished (e.g. failed with
				// fallout, then repaired with COMPENSATE): it returns to it, with the same plan
				if err := o.StartCompensation(c); err != nil {
					return err
				}
			}
			res.CompensationPlanID, res.Needed = cp.ID, !cp.Done()
			res.StepIDs = make([]string, len(cp.Steps))
			for i, st := range cp.Steps {
				res.StepIDs[i] = st.ID
			}
			return nil
		})
	})
	if err != nil {
		return CompensationStart{}, err
	}
	log := s.log.With(zap.String(telemetry.FieldOrderID, ref.OrderID), zap.String("compensationPlanId", res.CompensationPlanID),
		zap.Int("steps", len(res.StepIDs)), zap.Bool("compensationNeeded", res.Needed))
	if res.Created {
		s.metrics.compensationStarted.WithLabelValues(jobType).Inc()
		log.Info("compensation planned")
	} else {
		log.Info("compensation already planned; returned it")
	}
	return res, nil
}

// buildCompensation does the state changes of a first start.
func buildCompensation(o *domain.Order, p *domain.Plan, code string, c domain.Cause) (*domain.CompensationPlan, error) {
	if o.Status != domain.OrderCompensating {
		if err := o.StartCompensation(c); err != nil {
			return nil, err
		}
	}
	if _, err := p.CancelOutstandingTasks(c); err != nil {
		return nil, err
	}
	// The plan state machine has no CREATED -> COMPENSATING; a plan that never started a task
	// passes through EXECUTING so its (empty) compensation can settle it.
	if p.Status == domain.PlanCreated {
		if err := p.Transition(domain.PlanExecuting, c); err != nil {
			return nil, err
		}
	}
	cp, err := domain.BuildCompensationPlan(p, domain.NewUUID(), code, domain.RandomIDs(), c)
	if err != nil {
		return nil, err
	}
	return cp, cp.MarkCompletedIfEmpty(p, c)
}

// currentCompensation loads the plan's unfinished compensation, or its finished one when the
// fulfilment plan was already compensated (a redelivery after an empty plan settled at once).
func currentCompensation(tx *postgres.Tx, p *domain.Plan) (*domain.CompensationPlan, error) {
	var id string
	err := tx.Raw().QueryRow(tx.Context(), `
		select id::text from compensation_plan where tenant_id = $1 and fulfillment_plan_id = $2
		  and (status <> 'COMPLETED' or $3)
		order by status <> 'COMPLETED' desc, created_at desc limit 1`,
		p.TenantID, p.ID, p.Status == domain.PlanCompensated).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return tx.CompensationPlan(p.TenantID, id)
}

func (s *Service) handleStartCompensation(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, _, err := decodePlanRef(job, false)
	if err != nil {
		return worker.Result{}, err
	}
	var v struct {
		CompensationReason string `json:"compensationReason"`
	}
	if err := job.Decode(&v); err != nil {
		return worker.Result{}, err
	}
	res, err := s.StartCompensation(ctx, ref, v.CompensationReason, job.Type)
	if err != nil {
		return worker.Result{}, err
	}
	return worker.Result{Variables: map[string]any{
		"compensationPlanId":  res.CompensationPlanID,
		"compensationStepIds": res.StepIDs,
		"compensationNeeded":  res.Needed,
	}}, nil
}

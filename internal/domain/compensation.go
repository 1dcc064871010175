package domain

import (
	"fmt"
	"time"
)

// CompensationStep undoes one completed task with a new forward action.
type CompensationStep struct {
	ID                   string
	SourceTaskID         string
	SourceTaskType       TaskType
	TaskType             TaskType
	Seq                  int
	DependsOn            []string // other step ids that must settle first
	Status               StepStatus
	Reversible           bool
	RequiresManualReview bool
	Attempts             int
	LastFailureCode      string
	Version              int64

	changed bool
}

// Changed reports whether the step was modified since load.
func (s *CompensationStep) Changed() bool { return s.changed }

// CompensationPlan is the undo plan of a fulfilment plan (seed 001 §16).
type CompensationPlan struct {
	ID                string
	TenantID          string
	OrderID           string
	FulfillmentPlanID string
	ReasonCode        string
	Status            CompensationStatus
	Steps             []*CompensationStep
	// InFlightTaskIDs were started but had not settled when the plan was
	// built: their effect is unknown, so operators must look at them.
	InFlightTaskIDs []string
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time

	Changes
}

// BuildCompensationPlan plans the undo of every COMPLETED compensatable task
// and nothing else, in reverse dependency order: a step waits for the steps
// of all completed tasks that (transitively) depended on its task. Steps
// for non-reversible effects start AWAITING_REVIEW. The plan moves to
// COMPENSATING.
func BuildCompensationPlan(p *Plan, id, reasonCode string, ids IDGenerator, cause Cause) (*CompensationPlan, error) {
	cause = cause.pinned()
	if err := cause.validate(); err != nil {
		return nil, err
	}
	if err := requireText(map[string]string{"id": id, "reasonCode": reasonCode}); err != nil {
		return nil, err
	}
	groups, err := ParallelGroups(p.graph())
	if err != nil {
		return nil, err
	}
	dependents := p.transitiveDependents()
	cp := &CompensationPlan{
		ID: id, TenantID: p.TenantID, OrderID: p.OrderID, FulfillmentPlanID: p.ID,
		ReasonCode: reasonCode, Status: CompensationPlanned, CreatedAt: cause.at(), UpdatedAt: cause.at(),
	}
	stepOf := map[string]*CompensationStep{}
	// Walk waves last to first so later effects are undone before earlier ones.
	for w := len(groups) - 1; w >= 0; w-- {
		for _, tid := range groups[w] {
			t, _ := p.Task(tid)
			if t.Status != TaskCompleted || !t.Compensation.Compensatable {
				continue
			}
			s := &CompensationStep{
				ID: ids.NewID(), SourceTaskID: t.ID, SourceTaskType: t.Type,
				TaskType: t.Compensation.CompensationTaskType, Seq: len(cp.Steps) + 1,
				Status: StepPending, Reversible: t.Compensation.Reversible,
				RequiresManualReview: t.Compensation.needsReview(), changed: true,
			}
			if s.RequiresManualReview {
				s.Status = StepAwaitingReview
			}
			for _, dep := range dependents[t.ID] {
				if ds, ok := stepOf[dep]; ok {
					s.DependsOn = append(s.DependsOn, ds.ID)
				}
			}
			stepOf[t.ID] = s
			cp.Steps = append(cp.Steps, s)
		}
	}
	for _, t := range p.Tasks {
		if t.Status.InFlight() {
			cp.InFlightTaskIDs = append(cp.InFlightTaskIDs, t.ID)
		}
	}
	if err := p.moveTo(PlanCompensating, cause); err != nil {
		return nil, err
	}
	a := newAudit(cp.TenantID, cp.OrderID, AggregateCompensationPlan, cp.ID, AuditCompensationPlanned, "", string(cp.Status), cause)
	a.Details = map[string]string{"stepCount": fmt.Sprint(len(cp.Steps)), "fulfillmentPlanId": p.ID}
	cp.record(a, newEvent(EventCompensationStarted, cp.TenantID, AggregateCompensationPlan, cp.ID, cause, cp.payload()))
	return cp, nil
}

// transitiveDependents maps each task id to the ids of every task that
// depends on it directly or indirectly, in plan order.
func (p *Plan) transitiveDependents() map[string][]string {
	direct := map[string][]string{}
	for _, t := range p.Tasks {
		for _, d := range t.DependsOn {
			direct[d] = append(direct[d], t.ID)
		}
	}
	out := map[string][]string{}
	for _, t := range p.Tasks {
		seen := map[string]bool{}
		stack := append([]string(nil), direct[t.ID]...)
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[id] {
				continue
			}
			seen[id] = true
			stack = append(stack, direct[id]...)
		}
		for _, other := range p.Tasks {
			if seen[other.ID] {
				out[t.ID] = append(out[t.ID], other.ID)
			}
		}
	}
	return out
}

func (cp *CompensationPlan) payload() map[string]any {
	steps := make([]map[string]any, len(cp.Steps))
	for i, s := range cp.Steps {
		steps[i] = map[string]any{
			"stepId": s.ID, "sourceTaskId": s.SourceTaskID, "taskType": string(s.TaskType),
			"requiresManualReview": s.RequiresManualReview,
		}
	}
	return map[string]any{
		"compensationPlanId": cp.ID, "orderId": cp.OrderID, "fulfillmentPlanId": cp.FulfillmentPlanID,
		"reasonCode": cp.ReasonCode, "status": string(cp.Status), "steps": steps,
	}
}

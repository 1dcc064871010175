package domain

import (
	"fmt"
	"time"
)

// Plan is the fulfilment plan aggregate: the task graph decomposed from an
// order. BPMN executes it; only this type decides what is ready next.
type Plan struct {
	ID               string
	TenantID         string
	OrderID          string
	Status           PlanStatus
	CompletionPolicy CompletionPolicy
	CatalogVersion   string
	Tasks            []*Task // ordered by Seq
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time

	Changes
	attempts []Attempt
}

// NewPlan assembles a plan and validates its graph and policies: an unknown
// dependency or a cycle is rejected here, before anything can run.
func NewPlan(id, tenantID, orderID string, policy CompletionPolicy, tasks []*Task, cause Cause) (*Plan, error) {
	if err := cause.validate(); err != nil {
		return nil, err
	}
	if err := requireText(map[string]string{"planId": id, "tenantId": tenantID, "orderId": orderID}); err != nil {
		return nil, err
	}
	if !policy.Valid() {
		return nil, Errorf(EINVALID, "unknown completion policy %q", policy)
	}
	if len(tasks) == 0 {
		return nil, Errorf(EINVALID, "a plan needs at least one task")
	}
	p := &Plan{
		ID: id, TenantID: tenantID, OrderID: orderID, Status: PlanCreated,
		CompletionPolicy: policy, Tasks: tasks, CreatedAt: cause.at(), UpdatedAt: cause.at(),
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	for i, t := range p.Tasks {
		t.Seq = i + 1
		if t.Status == "" {
			t.Status = TaskPending
		}
	}
	a := newAudit(tenantID, orderID, AggregateFulfillmentPlan, id, AuditPlanCreated, "", string(PlanCreated), cause)
	a.Details = map[string]string{"taskCount": fmt.Sprint(len(tasks))}
	p.record(a)
	p.promoteReady(cause)
	return p, nil
}

// Validate checks the graph and each task's policies; repositories call it
// after loading too, so a corrupted row cannot drive execution.
func (p *Plan) Validate() error {
	for _, t := range p.Tasks {
		if t.Type == "" {
			return Errorf(EINVALID, "task %s has no type", t.ID)
		}
		if !t.Mode.Valid() {
			return Errorf(EINVALID, "task %s has unknown execution mode %q", t.ID, t.Mode)
		}
		if t.Retry.MaxAttempts < 1 {
			return Errorf(EINVALID, "task %s needs a retry policy with at least one attempt", t.ID)
		}
		if t.Status != "" && !t.Status.Valid() {
			return Errorf(EINVALID, "task %s has unknown status %q", t.ID, t.Status)
		}
		if t.Compensation.Compensatable && t.Compensation.CompensationTaskType == "" {
			return Errorf(EINVALID, "task %s is compensatable but names no compensation task", t.ID)
		}
	}
	return ValidateGraph(p.graph())
}

func (p *Plan) graph() []GraphNode {
	nodes := make([]GraphNode, len(p.Tasks))
	for i, t := range p.Tasks {
		nodes[i] = GraphNode{ID: t.ID, DependsOn: t.DependsOn}
	}
	return nodes
}

// Task returns the task with the given id.
func (p *Plan) Task(id string) (*Task, error) {
	for _, t := range p.Tasks {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, Errorf(ENOTFOUND, "plan %s has no task %s", p.ID, id)
}

// ParallelGroups returns the plan's waves of tasks that may run side by side.
func (p *Plan) ParallelGroups() [][]string {
	groups, err := ParallelGroups(p.graph())
	if err != nil {
		return nil // unreachable for a plan built by NewPlan
	}
	return groups
}

// ChangedTasks returns the tasks modified since load, for the repository.
func (p *Plan) ChangedTasks() []*Task {
	var out []*Task
	for _, t := range p.Tasks {
		if t.changed {
			out = append(out, t)
		}
	}
	return out
}

// PendingAttempts returns attempt records created or settled since load.
func (p *Plan) PendingAttempts() []Attempt { return append([]Attempt(nil), p.attempts...) }

// ClearPending forgets recorded changes once the repository stored them.
func (p *Plan) ClearPending() {
	p.Changes.ClearPending()
	p.attempts = nil
	for _, t := range p.Tasks {
		t.changed = false
	}
}

// Transition moves the plan to another coarse state.
func (p *Plan) Transition(to PlanStatus, cause Cause) error {
	if err := cause.validate(); err != nil {
		return err
	}
	from := p.Status
	if !CanTransitionPlan(from, to) {
		return transitionError("plan", string(from), string(to))
	}
	p.Status = to
	p.UpdatedAt = cause.at()
	p.record(newAudit(p.TenantID, p.OrderID, AggregateFulfillmentPlan, p.ID, AuditPlanTransition, string(from), string(to), cause))
	return nil
}

// moveTo is Transition for internal callers that may already be there.
func (p *Plan) moveTo(to PlanStatus, cause Cause) error {
	if p.Status == to {
		return nil
	}
	return p.Transition(to, cause)
}

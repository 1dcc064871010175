package domain

// PlanStatus is the coarse state of a fulfilment plan as a whole; task-level
// detail lives on the tasks.
type PlanStatus string

const (
	PlanCreated      PlanStatus = "CREATED"
	PlanExecuting    PlanStatus = "EXECUTING"
	PlanCompleted    PlanStatus = "COMPLETED"
	PlanFailed       PlanStatus = "FAILED"
	PlanCancelled    PlanStatus = "CANCELLED"
	PlanCompensating PlanStatus = "COMPENSATING"
	PlanCompensated  PlanStatus = "COMPENSATED"
	PlanClosed       PlanStatus = "CLOSED"
)

// PlanStatuses lists every plan state.
var PlanStatuses = []PlanStatus{
	PlanCreated, PlanExecuting, PlanCompleted, PlanFailed, PlanCancelled,
	PlanCompensating, PlanCompensated, PlanClosed,
}

// planTransitions: a FAILED plan can resume executing after a repair, and
// CLOSED records an operator's manual close.
var planTransitions = transitionTable[PlanStatus]{
	PlanCreated:      {PlanExecuting, PlanCancelled, PlanFailed},
	PlanExecuting:    {PlanCompleted, PlanFailed, PlanCancelled, PlanCompensating, PlanClosed},
	PlanFailed:       {PlanExecuting, PlanCompensating, PlanCancelled, PlanClosed},
	PlanCompensating: {PlanCompensated, PlanCancelled, PlanFailed, PlanClosed},
	PlanCompleted:    nil,
	PlanCancelled:    nil,
	PlanCompensated:  nil,
	PlanClosed:       nil,
}

// CanTransitionPlan reports whether the plan state machine allows from→to.
func CanTransitionPlan(from, to PlanStatus) bool { return planTransitions.allows(from, to) }

// acceptsWork reports whether tasks of the plan may be started or settled.
func (s PlanStatus) acceptsWork() bool { return s == PlanCreated || s == PlanExecuting }

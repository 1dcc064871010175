package domain

// CompensationStatus is the state of a compensation plan.
type CompensationStatus string

const (
	CompensationPlanned   CompensationStatus = "PLANNED"
	CompensationExecuting CompensationStatus = "EXECUTING"
	CompensationCompleted CompensationStatus = "COMPLETED"
	CompensationFailed    CompensationStatus = "FAILED"
)

// CompensationStatuses lists every compensation plan state.
var CompensationStatuses = []CompensationStatus{
	CompensationPlanned, CompensationExecuting, CompensationCompleted, CompensationFailed,
}

var compensationTransitions = transitionTable[CompensationStatus]{
	CompensationPlanned:   {CompensationExecuting, CompensationCompleted},
	CompensationExecuting: {CompensationCompleted, CompensationFailed},
	CompensationFailed:    {CompensationExecuting},
	CompensationCompleted: nil,
}

// CanTransitionCompensation reports whether from→to is allowed for a plan.
func CanTransitionCompensation(from, to CompensationStatus) bool {
	return compensationTransitions.allows(from, to)
}

// StepStatus is the state of one compensation step.
type StepStatus string

const (
	StepPending        StepStatus = "PENDING"
	StepAwaitingReview StepStatus = "AWAITING_REVIEW"
	StepInProgress     StepStatus = "IN_PROGRESS"
	StepCompleted      StepStatus = "COMPLETED"
	StepFailed         StepStatus = "FAILED"
	StepDeclined       StepStatus = "DECLINED"
)

// StepStatuses lists every step state.
var StepStatuses = []StepStatus{
	StepPending, StepAwaitingReview, StepInProgress, StepCompleted, StepFailed, StepDeclined,
}

// stepTransitions: a step awaiting review is either approved (PENDING) or
// declined, leaving the original effect in place by an operator's choice.
var stepTransitions = transitionTable[StepStatus]{
	StepPending:        {StepInProgress},
	StepAwaitingReview: {StepPending, StepDeclined},
	StepInProgress:     {StepCompleted, StepFailed},
	StepFailed:         {StepInProgress, StepDeclined},
	StepCompleted:      nil,
	StepDeclined:       nil,
}

// CanTransitionStep reports whether from→to is allowed for a step.
func CanTransitionStep(from, to StepStatus) bool { return stepTransitions.allows(from, to) }

func (s StepStatus) settled() bool { return s == StepCompleted || s == StepDeclined }

package domain

// TaskStatus is the canonical state of one fulfilment task.
//
// SUBMITTED and WAITING are both kept: SUBMITTED means an external system
// accepted our request and we await its callback (AUTOMATED_ASYNC), WAITING
// means we await a signal we did not ask for (WAIT_ONLY, MANUAL). PENDING is
// kept apart from READY so "dependencies satisfied" is visible in the table.
type TaskStatus string

const (
	TaskPending            TaskStatus = "PENDING"
	TaskReady              TaskStatus = "READY"
	TaskInProgress         TaskStatus = "IN_PROGRESS"
	TaskSubmitted          TaskStatus = "SUBMITTED"
	TaskWaiting            TaskStatus = "WAITING"
	TaskCompleted          TaskStatus = "COMPLETED"
	TaskFailed             TaskStatus = "FAILED"
	TaskTimedOut           TaskStatus = "TIMED_OUT"
	TaskSkipped            TaskStatus = "SKIPPED"
	TaskCancelled          TaskStatus = "CANCELLED"
	TaskCompensating       TaskStatus = "COMPENSATING"
	TaskCompensated        TaskStatus = "COMPENSATED"
	TaskCompensationFailed TaskStatus = "COMPENSATION_FAILED"
)

// TaskStatuses lists every task state.
var TaskStatuses = []TaskStatus{
	TaskPending, TaskReady, TaskInProgress, TaskSubmitted, TaskWaiting, TaskCompleted,
	TaskFailed, TaskTimedOut, TaskSkipped, TaskCancelled, TaskCompensating,
	TaskCompensated, TaskCompensationFailed,
}

// taskTransitions is the task state machine. Only tasks that have not
// started can be cancelled: once a request is out its effect may happen, so
// an in-flight task must settle and then be compensated instead.
var taskTransitions = transitionTable[TaskStatus]{
	TaskPending:            {TaskReady, TaskSkipped, TaskCancelled},
	TaskReady:              {TaskInProgress, TaskSkipped, TaskCancelled},
	TaskInProgress:         {TaskSubmitted, TaskWaiting, TaskCompleted, TaskFailed, TaskTimedOut},
	TaskSubmitted:          {TaskWaiting, TaskCompleted, TaskFailed, TaskTimedOut},
	TaskWaiting:            {TaskCompleted, TaskFailed, TaskTimedOut, TaskCancelled},
	TaskFailed:             {TaskReady, TaskSkipped},
	TaskTimedOut:           {TaskReady, TaskSkipped},
	TaskCompleted:          {TaskCompensating},
	TaskCompensating:       {TaskCompensated, TaskCompensationFailed},
	TaskCompensationFailed: {TaskCompensating},
	TaskSkipped:            nil,
	TaskCancelled:          nil,
	TaskCompensated:        nil,
}

// CanTransitionTask reports whether the task state machine allows from→to.
func CanTransitionTask(from, to TaskStatus) bool { return taskTransitions.allows(from, to) }

// NextTaskStatuses lists the states reachable in one step from s.
func NextTaskStatuses(s TaskStatus) []TaskStatus {
	return append([]TaskStatus(nil), taskTransitions[s]...)
}

// InFlight reports whether work was handed out and has not settled.
func (s TaskStatus) InFlight() bool {
	return s == TaskInProgress || s == TaskSubmitted || s == TaskWaiting
}

// Done reports whether the task satisfies dependents and completion: it ran
// to completion or an operator approved skipping it.
func (s TaskStatus) Done() bool { return s == TaskCompleted || s == TaskSkipped }

// unsuccessful reports whether the task settled without doing its work.
func (s TaskStatus) unsuccessful() bool {
	return s == TaskFailed || s == TaskTimedOut || s == TaskCancelled
}

// Valid reports whether s is a known state.
func (s TaskStatus) Valid() bool {
	_, ok := taskTransitions[s]
	return ok
}

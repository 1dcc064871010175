package domain

// DivergenceKind names one way the OMS, the engine and the outbox can disagree (seed 000 §24,
// §29). The values are stable codes: findings, metrics labels and runbooks refer to them.
type DivergenceKind string

const (
	// DivergenceOrderWithoutProcess: a live order has a start request, but the engine runs no
	// instance for it (never started, unknown to the engine, or already ended).
	DivergenceOrderWithoutProcess DivergenceKind = "ORDER_WITHOUT_PROCESS"
	// DivergenceProcessRunningForEndedOrder: the order reached an end state, the instance still runs.
	DivergenceProcessRunningForEndedOrder DivergenceKind = "PROCESS_RUNNING_FOR_ENDED_ORDER"
	// DivergenceProcessWaitingForCancelledOrder: the order is cancelled, the instance still waits.
	DivergenceProcessWaitingForCancelledOrder DivergenceKind = "PROCESS_WAITING_FOR_CANCELLED_ORDER"
	// DivergenceFailedTaskNotInRepair: a task failed or timed out and no open fallout case repairs it.
	DivergenceFailedTaskNotInRepair DivergenceKind = "FAILED_TASK_NOT_IN_REPAIR"
	// DivergenceTaskStuckPastTimeout: a task is still in flight after its timeout policy expired.
	DivergenceTaskStuckPastTimeout DivergenceKind = "TASK_STUCK_PAST_TIMEOUT"
	// DivergenceOutboxUnpublished: committed events have waited too long for the outbox relay.
	DivergenceOutboxUnpublished DivergenceKind = "OUTBOX_UNPUBLISHED_TOO_LONG"
)

// DivergenceKinds lists every kind, so metrics can show a zero for the kinds not seen.
var DivergenceKinds = []DivergenceKind{
	DivergenceOrderWithoutProcess, DivergenceProcessRunningForEndedOrder, DivergenceProcessWaitingForCancelledOrder,
	DivergenceFailedTaskNotInRepair, DivergenceTaskStuckPastTimeout, DivergenceOutboxUnpublished,
}

// Valid reports whether k is a known kind.
func (k DivergenceKind) Valid() bool {
	for _, known := range DivergenceKinds {
		if k == known {
			return true
		}
	}
	return false
}

// EngineInstanceState is a process instance's state as the engine's read API reports it (TERMINATED counts as CANCELED).
type EngineInstanceState string

const (
	EngineInstanceActive    EngineInstanceState = "ACTIVE"
	EngineInstanceIncident  EngineInstanceState = "INCIDENT"
	EngineInstanceCompleted EngineInstanceState = "COMPLETED"
	EngineInstanceCanceled  EngineInstanceState = "CANCELED"
	// EngineInstanceUnknown: we recorded the key, but the engine's side does not know it.
	EngineInstanceUnknown EngineInstanceState = "UNKNOWN"
)

// Running reports whether the instance can still act on the order: an incident only pauses it.
func (s EngineInstanceState) Running() bool {
	return s == EngineInstanceActive || s == EngineInstanceIncident
}

// OrderProcessDivergence judges an order that has a start request against the states of every
// instance the engine holds for it. A live order needs one running instance; an ended order
// needs none. Returns false when they agree.
func OrderProcessDivergence(status OrderStatus, instances []EngineInstanceState) (DivergenceKind, bool) {
	running := false
	for _, s := range instances {
		running = running || s.Running()
	}
	switch {
	case !status.IsEndState() && !running:
		return DivergenceOrderWithoutProcess, true
	case status == OrderCancelled && running:
		return DivergenceProcessWaitingForCancelledOrder, true
	case status.IsEndState() && running:
		return DivergenceProcessRunningForEndedOrder, true
	}
	return "", false
}

// NeedsRepair reports whether a task in status s must have an open fallout case while its
// order is being fulfilled: the process opens one for every failed or timed-out task.
func (s TaskStatus) NeedsRepair() bool { return s == TaskFailed || s == TaskTimedOut }

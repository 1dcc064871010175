package domain

// SubmitTask records that the owner system accepted an asynchronous request;
// the task now waits for its callback under externalCorrelationID.
func (p *Plan) SubmitTask(taskID, externalCorrelationID string, cause Cause) error {
	cause = cause.pinned()
	if err := cause.validate(); err != nil {
		return err
	}
	t, err := p.Task(taskID)
	if err != nil {
		return err
	}
	if externalCorrelationID == "" {
		return Errorf(EINVALID, "a submitted task needs the external correlation id")
	}
	prev := t.ExternalCorrelationID
	t.ExternalCorrelationID = externalCorrelationID
	if err := p.setTaskStatus(t, TaskSubmitted, cause); err != nil {
		t.ExternalCorrelationID = prev
		return err
	}
	a := p.attemptOf(t)
	a.Status = AttemptSubmitted
	p.putAttempt(a)
	return nil
}

// WaitTask parks a started task until a signal arrives (WAIT_ONLY, MANUAL).
func (p *Plan) WaitTask(taskID string, cause Cause) error {
	if err := cause.validate(); err != nil {
		return err
	}
	t, err := p.Task(taskID)
	if err != nil {
		return err
	}
	return p.setTaskStatus(t, TaskWaiting, cause)
}

// CompleteTask settles an in-flight task as done, stores its evidence and
// promotes the tasks that were waiting for it.
func (p *Plan) CompleteTask(taskID string, res TaskResult, cause Cause) (Progress, error) {
	cause = cause.pinned()
	if err := cause.validate(); err != nil {
		return Progress{}, err
	}
	t, err := p.Task(taskID)
	if err != nil {
		return Progress{}, err
	}
	if !CanTransitionTask(t.Status, TaskCompleted) {
		return Progress{}, transitionError("task "+t.ID, string(t.Status), string(TaskCompleted))
	}
	if res.ExternalCorrelationID != "" {
		t.ExternalCorrelationID = res.ExternalCorrelationID
	}
	t.ResponseHash = res.ResponseHash
	t.CompletedAt = cause.at()
	if err := p.setTaskStatus(t, TaskCompleted, cause); err != nil {
		return Progress{}, err
	}
	a := p.attemptOf(t)
	a.Status, a.ResponseHash, a.CompletedAt = AttemptCompleted, res.ResponseHash, t.CompletedAt
	p.putAttempt(a)
	p.promoteReady(cause)
	return p.Progress(), nil
}

// FailTask settles an in-flight task as failed. A failed optional task still
// releases its dependents; a failed required one leaves the plan stuck until
// a repair decision.
func (p *Plan) FailTask(taskID string, f TaskFailure, cause Cause) (Progress, error) {
	cause = cause.pinned()
	if err := cause.validate(); err != nil {
		return Progress{}, err
	}
	if f.Code == "" {
		return Progress{}, Errorf(EINVALID, "a task failure needs a failure code")
	}
	t, err := p.Task(taskID)
	if err != nil {
		return Progress{}, err
	}
	if !CanTransitionTask(t.Status, TaskFailed) {
		return Progress{}, transitionError("task "+t.ID, string(t.Status), string(TaskFailed))
	}
	t.LastFailureCode, t.LastFailureMessage = f.Code, f.Message
	t.CompletedAt = cause.at()
	if err := p.setTaskStatus(t, TaskFailed, cause); err != nil {
		return Progress{}, err
	}
	a := p.attemptOf(t)
	a.Status, a.FailureCode, a.FailureMessage, a.CompletedAt = AttemptFailed, f.Code, f.Message, t.CompletedAt
	p.putAttempt(a)
	p.promoteReady(cause)
	return p.Progress(), nil
}

// TimeoutOutcome tells the timeout worker where to route next.
type TimeoutOutcome struct {
	Action          TimeoutAction
	FalloutCategory FalloutCategory
	CanRetry        bool
	Progress        Progress
}

// TimeoutTask applies a hard timeout to an in-flight task. What happens next
// is the task's policy, not a fixed rule.
func (p *Plan) TimeoutTask(taskID string, cause Cause) (TimeoutOutcome, error) {
	cause = cause.pinned()
	if err := cause.validate(); err != nil {
		return TimeoutOutcome{}, err
	}
	t, err := p.Task(taskID)
	if err != nil {
		return TimeoutOutcome{}, err
	}
	if !CanTransitionTask(t.Status, TaskTimedOut) {
		return TimeoutOutcome{}, transitionError("task "+t.ID, string(t.Status), string(TaskTimedOut))
	}
	t.LastFailureCode, t.LastFailureMessage = "TIMEOUT", "no result within "+t.Timeout.TimeoutISO
	t.CompletedAt = cause.at()
	if err := p.setTaskStatus(t, TaskTimedOut, cause); err != nil {
		return TimeoutOutcome{}, err
	}
	a := p.attemptOf(t)
	a.Status, a.FailureCode, a.FailureMessage, a.CompletedAt = AttemptTimedOut, t.LastFailureCode, t.LastFailureMessage, t.CompletedAt
	p.putAttempt(a)
	p.promoteReady(cause)
	return TimeoutOutcome{
		Action:          t.Timeout.OnTimeout,
		FalloutCategory: t.Timeout.FalloutCategory,
		CanRetry:        t.Attempts < t.attemptBudget(),
		Progress:        p.Progress(),
	}, nil
}

// RetryTask puts a failed or timed-out task back to READY within its retry
// budget; operators extend the budget through a RETRY decision.
func (p *Plan) RetryTask(taskID string, cause Cause) (Progress, error) {
	if err := cause.validate(); err != nil {
		return Progress{}, err
	}
	t, err := p.Task(taskID)
	if err != nil {
		return Progress{}, err
	}
	if !CanTransitionTask(t.Status, TaskReady) || t.Status == TaskPending {
		return Progress{}, transitionError("task "+t.ID, string(t.Status), string(TaskReady))
	}
	if t.Attempts >= t.attemptBudget() {
		return Progress{}, Errorf(ERETRYEXHAUSTED, "task %s used all %d attempts", t.ID, t.attemptBudget())
	}
	if err := p.setTaskStatus(t, TaskReady, cause); err != nil {
		return Progress{}, err
	}
	if p.Status == PlanFailed {
		if err := p.Transition(PlanExecuting, cause); err != nil {
			return Progress{}, err
		}
	}
	return p.Progress(), nil
}

// SkipTask marks a task as intentionally not done. It needs an approval
// (seed 001 §13 SKIP_WITH_APPROVAL), checked by the caller's decision.
func (p *Plan) SkipTask(taskID string, approval Justification, cause Cause) (Progress, error) {
	if err := cause.validate(); err != nil {
		return Progress{}, err
	}
	if err := approval.validateApproval(); err != nil {
		return Progress{}, err
	}
	t, err := p.Task(taskID)
	if err != nil {
		return Progress{}, err
	}
	if err := p.setTaskStatus(t, TaskSkipped, cause); err != nil {
		return Progress{}, err
	}
	p.promoteReady(cause)
	return p.Progress(), nil
}

// CancelOutstandingTasks cancels every task that has not started, and every
// manual task still waiting for a person (withdrawing it has no outside
// effect), as the first step of an order cancellation, and returns their ids.
// Other in-flight tasks are left to settle: their effects may already exist.
func (p *Plan) CancelOutstandingTasks(cause Cause) ([]string, error) {
	if err := cause.validate(); err != nil {
		return nil, err
	}
	var ids []string
	for _, t := range p.Tasks {
		if t.Status == TaskPending || t.Status == TaskReady || (t.Status == TaskWaiting && t.Mode == ModeManual) {
			if err := p.setTaskStatus(t, TaskCancelled, cause); err != nil {
				return nil, err
			}
			ids = append(ids, t.ID)
		}
	}
	return ids, nil
}

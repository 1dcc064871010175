package domain

import (
	"fmt"
	"time"
)

// taskEventOnEnter names the event a task emits when it enters a state.
var taskEventOnEnter = map[TaskStatus]string{
	TaskInProgress: EventFulfillmentTaskStarted,
	TaskCompleted:  EventFulfillmentTaskCompleted,
	TaskFailed:     EventFulfillmentTaskFailed,
	TaskTimedOut:   EventFulfillmentTaskTimedOut,
	TaskSkipped:    EventFulfillmentTaskSkipped,
}

// setTaskStatus is the single place a task changes state: it checks the
// table, records the audit entry and the task's events, and marks it dirty.
func (p *Plan) setTaskStatus(t *Task, to TaskStatus, cause Cause) error {
	from := t.Status
	if !CanTransitionTask(from, to) {
		return transitionError("task "+t.ID, string(from), string(to))
	}
	t.Status = to
	t.changed = true
	p.UpdatedAt = cause.at()
	a := newAudit(p.TenantID, p.OrderID, AggregateFulfillmentTask, t.ID, AuditTaskTransition, string(from), string(to), cause)
	a.Details = map[string]string{"taskType": string(t.Type), "fulfillmentPlanId": p.ID}
	if t.Attempts > 0 {
		a.Details["attemptNo"] = fmt.Sprint(t.Attempts)
	}
	var events []Event
	if et, ok := taskEventOnEnter[to]; ok {
		events = append(events, p.taskEvent(et, t, cause))
	}
	if t.Type == TaskActivateBilling {
		switch to {
		case TaskInProgress:
			events = append(events, p.taskEvent(EventBillingActivationRequested, t, cause))
		case TaskCompleted:
			events = append(events, p.taskEvent(EventBillingActivationCompleted, t, cause))
		}
	}
	p.record(a, events...)
	return nil
}

func (p *Plan) taskEvent(eventType string, t *Task, cause Cause) Event {
	payload := map[string]any{
		"orderId":           p.OrderID,
		"fulfillmentPlanId": p.ID,
		"taskId":            t.ID,
		"orderItemId":       t.OrderItemID,
		"taskType":          string(t.Type),
		"ownerSystem":       t.OwnerSystem,
		"status":            string(t.Status),
		"attemptNo":         t.Attempts,
	}
	if t.ExternalCorrelationID != "" {
		payload["externalCorrelationId"] = t.ExternalCorrelationID
	}
	if t.LastFailureCode != "" && t.Status != TaskCompleted {
		payload["failureCode"] = t.LastFailureCode
	}
	return newEvent(eventType, p.TenantID, AggregateFulfillmentTask, t.ID, cause, payload)
}

// StartTask begins the next business attempt of a ready task and returns the
// attempt with its idempotency key. The plan starts executing on first use.
func (p *Plan) StartTask(taskID string, req AttemptRequest, cause Cause) (Attempt, error) {
	cause = cause.pinned()
	if err := cause.validate(); err != nil {
		return Attempt{}, err
	}
	if !p.Status.acceptsWork() {
		return Attempt{}, Errorf(EINVALIDTRANSITION, "plan %s is %s and starts no tasks", p.ID, p.Status)
	}
	t, err := p.Task(taskID)
	if err != nil {
		return Attempt{}, err
	}
	if t.Status == TaskPending {
		if !p.depsSatisfied(t) {
			return Attempt{}, Errorf(EINVALIDTRANSITION, "task %s still waits for its dependencies", t.ID)
		}
		if err := p.setTaskStatus(t, TaskReady, cause); err != nil {
			return Attempt{}, err
		}
	}
	if t.Status != TaskReady {
		return Attempt{}, transitionError("task "+t.ID, string(t.Status), string(TaskInProgress))
	}
	if t.Attempts >= t.attemptBudget() {
		return Attempt{}, Errorf(ERETRYEXHAUSTED, "task %s used all %d attempts", t.ID, t.attemptBudget())
	}
	if err := p.moveTo(PlanExecuting, cause); err != nil {
		return Attempt{}, err
	}
	t.Attempts++
	t.StartedAt, t.CompletedAt = cause.at(), time.Time{}
	t.LastFailureCode, t.LastFailureMessage, t.ResponseHash = "", "", ""
	if err := p.setTaskStatus(t, TaskInProgress, cause); err != nil {
		return Attempt{}, err
	}
	a := p.attemptOf(t)
	a.RequestHash = req.RequestHash
	if req.ExternalSystem != "" {
		a.ExternalSystem = req.ExternalSystem
	}
	p.putAttempt(a)
	return a, nil
}

// CurrentAttempt rebuilds the attempt of an in-flight task, so a redelivered
// job can call the adapter again under the same idempotency key.
func (p *Plan) CurrentAttempt(taskID string) (Attempt, error) {
	t, err := p.Task(taskID)
	if err != nil {
		return Attempt{}, err
	}
	if !t.Status.InFlight() {
		return Attempt{}, Errorf(ECONFLICT, "task %s is %s, not in flight", t.ID, t.Status)
	}
	return p.attemptOf(t), nil
}

func (p *Plan) attemptOf(t *Task) Attempt {
	purpose := AttemptPurpose(PurposeExecute, t.Attempts)
	status := AttemptInProgress
	if t.Status == TaskSubmitted || t.Status == TaskWaiting {
		status = AttemptSubmitted
	}
	return Attempt{
		TenantID: p.TenantID, OrderID: p.OrderID, TaskID: t.ID, AttemptNo: t.Attempts,
		Purpose: purpose, Status: status,
		IdempotencyKey: IdempotencyKey(p.TenantID, p.OrderID, t.ID, purpose),
		ExternalSystem: t.OwnerSystem, ExternalCorrelationID: t.ExternalCorrelationID,
		StartedAt: t.StartedAt,
	}
}

// putAttempt records an attempt for the repository, replacing an earlier
// record of the same attempt made in this unit of work.
func (p *Plan) putAttempt(a Attempt) {
	for i := range p.attempts {
		if p.attempts[i].TaskID == a.TaskID && p.attempts[i].AttemptNo == a.AttemptNo {
			if a.RequestHash == "" {
				a.RequestHash = p.attempts[i].RequestHash
			}
			p.attempts[i] = a
			return
		}
	}
	p.attempts = append(p.attempts, a)
}

package domain

import "time"

// DecisionType is one of the allowed outcomes of a manual task (seed 001 §13).
// Free-form process mutation is not offered.
type DecisionType string

const (
	DecisionComplete              DecisionType = "COMPLETE"
	DecisionFail                  DecisionType = "FAIL"
	DecisionRetry                 DecisionType = "RETRY"
	DecisionSkipWithApproval      DecisionType = "SKIP_WITH_APPROVAL"
	DecisionRequestCustomerAction DecisionType = "REQUEST_CUSTOMER_ACTION"
	DecisionEscalate              DecisionType = "ESCALATE"
)

// DecisionTypes lists every decision.
var DecisionTypes = []DecisionType{
	DecisionComplete, DecisionFail, DecisionRetry, DecisionSkipWithApproval,
	DecisionRequestCustomerAction, DecisionEscalate,
}

// decisionAllowedFrom says in which task states each decision makes sense.
// COMPLETE and SKIP also need evidence; SKIP needs a second approver.
var decisionAllowedFrom = map[DecisionType][]TaskStatus{
	DecisionComplete:              {TaskInProgress, TaskSubmitted, TaskWaiting},
	DecisionFail:                  {TaskInProgress, TaskSubmitted, TaskWaiting},
	DecisionRetry:                 {TaskFailed, TaskTimedOut},
	DecisionSkipWithApproval:      {TaskPending, TaskReady, TaskFailed, TaskTimedOut},
	DecisionRequestCustomerAction: {TaskWaiting, TaskFailed, TaskTimedOut},
	DecisionEscalate:              {TaskPending, TaskReady, TaskInProgress, TaskSubmitted, TaskWaiting, TaskFailed, TaskTimedOut, TaskCompensationFailed},
}

// ManualDecision is an operator's structured decision on a task. It is an
// immutable record, so it has no version.
type ManualDecision struct {
	ID             string
	TenantID       string
	OrderID        string
	PlanID         string
	TaskID         string
	FalloutCaseID  string
	Decision       DecisionType
	IdempotencyKey string
	Justification
	DecidedAt time.Time
}

// Validate checks the decision's shape, independent of task state.
func (d ManualDecision) Validate() error {
	if err := requireText(map[string]string{"id": d.ID, "tenantId": d.TenantID, "orderId": d.OrderID, "taskId": d.TaskID}); err != nil {
		return err
	}
	if _, ok := decisionAllowedFrom[d.Decision]; !ok {
		return Errorf(EINVALID, "unknown decision %q", d.Decision)
	}
	switch d.Decision {
	case DecisionSkipWithApproval:
		return d.Justification.validateApproval()
	case DecisionComplete:
		if err := d.Justification.validate(); err != nil {
			return err
		}
		if d.EvidenceReference == "" {
			return Errorf(EINVALID, "completing a task by hand needs an evidence reference")
		}
		return nil
	}
	return d.Justification.validate()
}

// DecisionAllowed reports whether decision may be taken on a task in state s.
func DecisionAllowed(decision DecisionType, s TaskStatus) bool {
	for _, allowed := range decisionAllowedFrom[decision] {
		if allowed == s {
			return true
		}
	}
	return false
}

// ApplyManualDecision validates a decision and applies it to the task
// through the normal state machine, so a user task can never bypass it.
func (p *Plan) ApplyManualDecision(d ManualDecision, correlationID string) (Progress, error) {
	if err := d.Validate(); err != nil {
		return Progress{}, err
	}
	if d.TenantID != p.TenantID || d.OrderID != p.OrderID || (d.PlanID != "" && d.PlanID != p.ID) {
		return Progress{}, Errorf(EINVALID, "decision %s does not belong to plan %s", d.ID, p.ID)
	}
	t, err := p.Task(d.TaskID)
	if err != nil {
		return Progress{}, err
	}
	if !DecisionAllowed(d.Decision, t.Status) {
		return Progress{}, Errorf(EINVALIDTRANSITION, "decision %s is not allowed on task %s in state %s", d.Decision, t.ID, t.Status)
	}
	cause := d.Justification.cause(correlationID, Cause{At: d.DecidedAt})
	a := newAudit(p.TenantID, p.OrderID, AggregateFulfillmentTask, t.ID, AuditManualDecision, string(t.Status), string(t.Status), cause)
	a.Details = map[string]string{"decision": string(d.Decision), "decisionId": d.ID}
	if d.ApproverID != "" {
		a.Details["approverId"] = d.ApproverID
	}
	p.record(a)
	switch d.Decision {
	case DecisionComplete:
		return p.CompleteTask(t.ID, TaskResult{}, cause)
	case DecisionFail:
		return p.FailTask(t.ID, TaskFailure{Code: d.ReasonCode, Message: d.Reason}, cause)
	case DecisionRetry:
		if t.Attempts >= t.attemptBudget() {
			t.ManualRetries++ // an operator's retry grants one more attempt
			t.changed = true
		}
		return p.RetryTask(t.ID, cause)
	case DecisionSkipWithApproval:
		return p.SkipTask(t.ID, d.Justification, cause)
	}
	// REQUEST_CUSTOMER_ACTION and ESCALATE change no task state: the audit
	// entry is the record, and the workflow routes on the decision itself.
	return p.Progress(), nil
}

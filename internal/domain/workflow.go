package domain

import "time"

// FulfillmentProcessID is the BPMN process id of seed 001 §3.
const FulfillmentProcessID = "order-fulfillment-v1"

// BusinessKey is the process business key of seed 001 §6.
func BusinessKey(tenantID, orderID, planID string) string {
	return tenantID + ":" + orderID + ":" + planID
}

// Workflow start request statuses.
const (
	StartPending = "PENDING"
	StartStarted = "STARTED"
	StartFailed  = "FAILED"
)

// WorkflowStartRequest is the durable intent to start a process instance,
// written in the same transaction as the plan so a start is never lost; a
// relay performs it later (seed 001 §6).
type WorkflowStartRequest struct {
	ID                 string
	TenantID           string
	OrderID            string
	FulfillmentPlanID  string
	ProcessID          string
	BusinessKey        string
	Status             string
	Attempts           int
	NextAttemptAt      time.Time
	LastError          string
	ProcessInstanceKey string
	CreatedAt          time.Time
	StartedAt          time.Time
}

// NewWorkflowStartRequest builds the PENDING start request for a plan.
func NewWorkflowStartRequest(id string, p *Plan, at time.Time) WorkflowStartRequest {
	return WorkflowStartRequest{
		ID: id, TenantID: p.TenantID, OrderID: p.OrderID, FulfillmentPlanID: p.ID,
		ProcessID: FulfillmentProcessID, BusinessKey: BusinessKey(p.TenantID, p.OrderID, p.ID),
		Status: StartPending, NextAttemptAt: at, CreatedAt: at,
	}
}

// Execution statuses of fulfillment_execution.
const (
	ExecutionStarted     = "STARTED"
	ExecutionCompleted   = "COMPLETED"
	ExecutionFailed      = "FAILED"
	ExecutionCancelled   = "CANCELLED"
	ExecutionCompensated = "COMPENSATED"
)

// Execution is the single run of a plan by one process instance. Recording
// the claiming instance lets a duplicate instance be told apart and stopped.
type Execution struct {
	ID                 string
	TenantID           string
	OrderID            string
	FulfillmentPlanID  string
	Status             string
	ProcessInstanceKey string
	StartedAt          time.Time
	CompletedAt        time.Time
	Version            int64
}

// CheckClaim decides whether processInstanceKey may drive an execution that
// already exists: the same instance (a retried job) may, another may not.
func (e Execution) CheckClaim(processInstanceKey string) error {
	if e.ProcessInstanceKey == "" || e.ProcessInstanceKey == processInstanceKey {
		return nil
	}
	return &Error{
		Code:    EDUPLICATEINSTANCE,
		Message: "plan " + e.FulfillmentPlanID + " is executed by process instance " + e.ProcessInstanceKey,
		Refs:    []string{e.ProcessInstanceKey, processInstanceKey},
	}
}

// ExecutionClaimAudit is the timeline entry for a process instance taking
// over a plan, so the timeline shows which instance drove the order.
func ExecutionClaimAudit(e Execution, cause Cause) AuditEntry {
	a := newAudit(e.TenantID, e.OrderID, AggregateExecution, e.ID, AuditExecutionClaimed, "", e.Status, cause)
	a.Details = map[string]string{"processInstanceKey": e.ProcessInstanceKey, "fulfillmentPlanId": e.FulfillmentPlanID}
	return a
}

// DuplicateInstanceAudit is the timeline entry for a second process instance of the same plan (a
// start relay that crashed after creating an instance starts another); it ends without doing work.
func DuplicateInstanceAudit(e Execution, duplicateKey string, cause Cause) AuditEntry {
	a := newAudit(e.TenantID, e.OrderID, AggregateExecution, e.ID, AuditDuplicateInstance, e.Status, e.Status, cause)
	a.Details = map[string]string{"processInstanceKey": e.ProcessInstanceKey, "duplicateProcessInstanceKey": duplicateKey}
	return a
}

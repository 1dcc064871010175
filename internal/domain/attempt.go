package domain

import (
	"fmt"
	"time"
)

// AttemptStatus is the outcome of one business attempt at a task.
type AttemptStatus string

const (
	AttemptInProgress AttemptStatus = "IN_PROGRESS"
	AttemptSubmitted  AttemptStatus = "SUBMITTED"
	AttemptCompleted  AttemptStatus = "COMPLETED"
	AttemptFailed     AttemptStatus = "FAILED"
	AttemptTimedOut   AttemptStatus = "TIMED_OUT"
)

// Attempt is one row of fulfillment_task_attempt: evidence of what was sent,
// under which idempotency key, and what came back.
type Attempt struct {
	ID                    string // filled by the repository when empty
	TenantID              string
	OrderID               string
	TaskID                string
	AttemptNo             int
	Purpose               string
	Status                AttemptStatus
	IdempotencyKey        string
	ExternalSystem        string
	ExternalCorrelationID string
	RequestHash           string
	ResponseHash          string
	FailureCode           string
	FailureMessage        string
	StartedAt             time.Time
	CompletedAt           time.Time
}

// IdempotencyKey is the external idempotency key of seed 001 §9:
// tenantId:orderId:taskId:attemptPurpose.
func IdempotencyKey(tenantID, orderID, taskID, purpose string) string {
	return tenantID + ":" + orderID + ":" + taskID + ":" + purpose
}

// Purpose kinds. The attempt number is part of the purpose because the seed's
// attempt table makes the key unique per task: a redelivered job reuses the
// attempt's key (the adapter dedupes), a business retry gets a fresh one.
const (
	PurposeExecute    = "execute"
	PurposeCompensate = "compensate"
)

// AttemptPurpose composes the purpose text, e.g. "execute-2".
func AttemptPurpose(kind string, attemptNo int) string {
	return fmt.Sprintf("%s-%d", kind, attemptNo)
}

// AttemptRequest is what a worker knows when it starts an attempt.
type AttemptRequest struct {
	RequestHash    string
	ExternalSystem string // defaults to the task's owner system
}

// TaskResult is the evidence of a successful task.
type TaskResult struct {
	ResponseHash          string
	ExternalCorrelationID string
}

// TaskFailure describes why an attempt failed.
type TaskFailure struct {
	Code      string
	Message   string
	Retryable bool
}

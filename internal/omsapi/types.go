// Package omsapi holds the JSON shapes the OMS API answers with: the public contract that
// openapi.json documents, shared by the server (internal/httpapi) and its client (internal/omsclient)
// so the two cannot drift. Request bodies stay with the server, which validates them.
package omsapi

import (
	"encoding/json"
	"time"
)

// Captured answers an order capture.
type Captured struct {
	OrderID                string `json:"orderId"`
	FulfillmentPlanID      string `json:"fulfillmentPlanId"`
	WorkflowStartRequestID string `json:"workflowStartRequestId"`
	Status                 string `json:"status"`
	TaskCount              int    `json:"taskCount"`
}

// Order is an order with its items.
type Order struct {
	OrderID           string    `json:"orderId"`
	TenantID          string    `json:"tenantId"`
	CustomerID        string    `json:"customerId"`
	Status            string    `json:"status"`
	CompletionPolicy  string    `json:"completionPolicy"`
	FulfillmentPlanID string    `json:"fulfillmentPlanId,omitempty"`
	SuspensionReason  string    `json:"suspensionReason,omitempty"`
	CancellationCode  string    `json:"cancellationCode,omitempty"`
	Version           int64     `json:"version"`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`
	Items             []Item    `json:"items,omitempty"`
}

// Item is one order line.
type Item struct {
	OrderItemID          string            `json:"orderItemId"`
	LineNo               int               `json:"lineNo"`
	ProductCode          string            `json:"productCode"`
	Action               string            `json:"action"`
	Quantity             int               `json:"quantity"`
	TargetAssetID        string            `json:"targetAssetId,omitempty"`
	ExpectedAssetVersion int64             `json:"expectedAssetVersion,omitempty"`
	ParentItemID         string            `json:"parentItemId,omitempty"`
	ParentAssetID        string            `json:"parentAssetId,omitempty"`
	Location             string            `json:"location,omitempty"`
	Attributes           map[string]string `json:"attributes"`
}

// Plan is an order's fulfillment plan with its tasks.
type Plan struct {
	FulfillmentPlanID string     `json:"fulfillmentPlanId"`
	OrderID           string     `json:"orderId"`
	Status            string     `json:"status"`
	CompletionPolicy  string     `json:"completionPolicy"`
	CatalogVersion    string     `json:"catalogVersion"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
	ParallelGroups    [][]string `json:"parallelGroups"`
	Tasks             []Task     `json:"tasks"`
}

// Task is one fulfillment task of a plan.
type Task struct {
	TaskID                string     `json:"taskId"`
	OrderItemID           string     `json:"orderItemId"`
	Seq                   int        `json:"seq"`
	Key                   string     `json:"key"`
	Component             string     `json:"component,omitempty"`
	TaskType              string     `json:"taskType"`
	OwnerSystem           string     `json:"ownerSystem"`
	ExecutionMode         string     `json:"executionMode"`
	Status                string     `json:"status"`
	Optional              bool       `json:"optional"`
	DependsOn             []string   `json:"dependsOn"`
	Attempts              int        `json:"attempts"`
	MaxAttempts           int        `json:"maxAttempts"`
	ManualRetries         int        `json:"manualRetries"`
	Compensatable         bool       `json:"compensatable"`
	LastFailureCode       string     `json:"lastFailureCode,omitempty"`
	LastFailureMessage    string     `json:"lastFailureMessage,omitempty"`
	ExternalCorrelationID string     `json:"externalCorrelationId,omitempty"`
	StartedAt             *time.Time `json:"startedAt,omitempty"`
	CompletedAt           *time.Time `json:"completedAt,omitempty"`
	Version               int64      `json:"version"`
}

// FalloutCase is a case for the operators.
type FalloutCase struct {
	FalloutCaseID          string     `json:"falloutCaseId"`
	OrderID                string     `json:"orderId"`
	OrderItemID            string     `json:"orderItemId,omitempty"`
	FulfillmentPlanID      string     `json:"fulfillmentPlanId"`
	TaskID                 string     `json:"taskId,omitempty"`
	Category               string     `json:"category"`
	Severity               string     `json:"severity"`
	CustomerImpact         string     `json:"customerImpact"`
	Retryable              bool       `json:"retryable"`
	RequiresManualRepair   bool       `json:"requiresManualRepair"`
	SuggestedRepairActions []string   `json:"suggestedRepairActions"`
	SourceSystem           string     `json:"sourceSystem"`
	ExternalCorrelationID  string     `json:"externalCorrelationId,omitempty"`
	EvidenceHash           string     `json:"evidenceHash,omitempty"`
	Description            string     `json:"description,omitempty"`
	Status                 string     `json:"status"`
	Resolution             string     `json:"resolution,omitempty"`
	ResolvedBy             string     `json:"resolvedBy,omitempty"`
	ResolvedAt             *time.Time `json:"resolvedAt,omitempty"`
	Version                int64      `json:"version"`
	CreatedAt              time.Time  `json:"createdAt"`
}

// Progress is the plan's progress after a command.
type Progress struct {
	ReadyTaskIDs         []string `json:"readyTaskIds"`
	InFlightTaskIDs      []string `json:"inFlightTaskIds"`
	AllRequiredTasksDone bool     `json:"allRequiredTasksDone"`
	CompletionAllowed    bool     `json:"completionAllowed"`
	Stuck                bool     `json:"stuck"`
}

// Decision answers retry, skip and manual decisions.
type Decision struct {
	ManualDecisionID string   `json:"manualDecisionId"`
	OrderID          string   `json:"orderId"`
	TaskID           string   `json:"taskId"`
	Decision         string   `json:"decision"`
	TaskStatus       string   `json:"taskStatus"`
	Progress         Progress `json:"progress"`
}

// Repair answers a fallout repair.
type Repair struct {
	FalloutCaseID string   `json:"falloutCaseId"`
	OrderID       string   `json:"orderId"`
	RepairAction  string   `json:"repairAction"`
	FalloutStatus string   `json:"falloutStatus"`
	OrderStatus   string   `json:"orderStatus"`
	Progress      Progress `json:"progress"`
}

// Lifecycle answers cancel, suspend and resume.
type Lifecycle struct {
	OrderID          string `json:"orderId"`
	Status           string `json:"status"`
	Behavior         string `json:"behavior,omitempty"`
	Explanation      string `json:"explanation,omitempty"`
	SuspensionReason string `json:"suspensionReason,omitempty"`
}

// StartRequest is an order's workflow start request, with its process instance once started.
type StartRequest struct {
	WorkflowStartRequestID string     `json:"workflowStartRequestId"`
	OrderID                string     `json:"orderId"`
	FulfillmentPlanID      string     `json:"fulfillmentPlanId"`
	ProcessID              string     `json:"processId"`
	BusinessKey            string     `json:"businessKey"`
	Status                 string     `json:"status"`
	Attempts               int        `json:"attempts"`
	LastError              string     `json:"lastError,omitempty"`
	ProcessInstanceKey     string     `json:"processInstanceKey,omitempty"`
	CreatedAt              time.Time  `json:"createdAt"`
	StartedAt              *time.Time `json:"startedAt,omitempty"`
}

// TimelineEntry is one line of an order's merged history.
type TimelineEntry struct {
	At            time.Time       `json:"at"`
	Source        string          `json:"source"`
	Type          string          `json:"type"`
	AggregateType string          `json:"aggregateType"`
	AggregateID   string          `json:"aggregateId"`
	Details       json.RawMessage `json:"details"`
}

// Page is one page of a list; NextCursor, when set, fetches the next one.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

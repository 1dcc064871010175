package omsclient

import (
	"encoding/json"
	"time"
)

// Captured is the answer to an order capture.
type Captured struct {
	OrderID           string `json:"orderId"`
	FulfillmentPlanID string `json:"fulfillmentPlanId"`
	Status            string `json:"status"`
	TaskCount         int    `json:"taskCount"`
}

// Order is an order as the API shows it.
type Order struct {
	OrderID           string    `json:"orderId"`
	TenantID          string    `json:"tenantId"`
	CustomerID        string    `json:"customerId"`
	Status            string    `json:"status"`
	FulfillmentPlanID string    `json:"fulfillmentPlanId"`
	SuspensionReason  string    `json:"suspensionReason"`
	CancellationCode  string    `json:"cancellationCode"`
	Version           int64     `json:"version"`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`
	Items             []Item    `json:"items"`
}

// Item is one order line.
type Item struct {
	OrderItemID   string `json:"orderItemId"`
	LineNo        int    `json:"lineNo"`
	ProductCode   string `json:"productCode"`
	Action        string `json:"action"`
	TargetAssetID string `json:"targetAssetId"`
}

// Task is one fulfillment task of an order's plan.
type Task struct {
	TaskID             string     `json:"taskId"`
	OrderItemID        string     `json:"orderItemId"`
	Seq                int        `json:"seq"`
	Key                string     `json:"key"`
	TaskType           string     `json:"taskType"`
	OwnerSystem        string     `json:"ownerSystem"`
	ExecutionMode      string     `json:"executionMode"`
	Status             string     `json:"status"`
	Optional           bool       `json:"optional"`
	DependsOn          []string   `json:"dependsOn"`
	Attempts           int        `json:"attempts"`
	MaxAttempts        int        `json:"maxAttempts"`
	LastFailureCode    string     `json:"lastFailureCode"`
	LastFailureMessage string     `json:"lastFailureMessage"`
	StartedAt          *time.Time `json:"startedAt"`
	CompletedAt        *time.Time `json:"completedAt"`
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

// FalloutCase is a case for the operators.
type FalloutCase struct {
	FalloutCaseID          string    `json:"falloutCaseId"`
	OrderID                string    `json:"orderId"`
	TaskID                 string    `json:"taskId"`
	Category               string    `json:"category"`
	Severity               string    `json:"severity"`
	SuggestedRepairActions []string  `json:"suggestedRepairActions"`
	Description            string    `json:"description"`
	Status                 string    `json:"status"`
	Resolution             string    `json:"resolution"`
	CreatedAt              time.Time `json:"createdAt"`
}

// Justification is the structured why of an operator command.
type Justification struct {
	ReasonCode        string `json:"reasonCode"`
	Reason            string `json:"reason"`
	EvidenceReference string `json:"evidenceReference,omitempty"`
	OperatorID        string `json:"operatorId"`
	ApproverID        string `json:"approverId,omitempty"`
}

// Progress is the plan's progress after a command.
type Progress struct {
	ReadyTaskIDs         []string `json:"readyTaskIds"`
	AllRequiredTasksDone bool     `json:"allRequiredTasksDone"`
	Stuck                bool     `json:"stuck"`
}

// Decision is the answer to retry, skip and manual decisions.
type Decision struct {
	ManualDecisionID string   `json:"manualDecisionId"`
	TaskID           string   `json:"taskId"`
	Decision         string   `json:"decision"`
	TaskStatus       string   `json:"taskStatus"`
	Progress         Progress `json:"progress"`
}

// Repair is the answer to a fallout repair.
type Repair struct {
	FalloutCaseID string   `json:"falloutCaseId"`
	RepairAction  string   `json:"repairAction"`
	FalloutStatus string   `json:"falloutStatus"`
	OrderStatus   string   `json:"orderStatus"`
	Progress      Progress `json:"progress"`
}

// Lifecycle is the answer to cancel, suspend and resume.
type Lifecycle struct {
	OrderID          string `json:"orderId"`
	Status           string `json:"status"`
	Behavior         string `json:"behavior"`
	Explanation      string `json:"explanation"`
	SuspensionReason string `json:"suspensionReason"`
}

// Start is the workflow start request of an order, with the process instance once started.
type Start struct {
	Status             string `json:"status"`
	ProcessInstanceKey string `json:"processInstanceKey"`
}

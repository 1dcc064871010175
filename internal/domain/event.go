package domain

import "time"

// Event type names from seed 001 §20, used verbatim on the wire.
const (
	EventOrderFulfillmentRequested       = "OrderFulfillmentRequested"
	EventFulfillmentPlanExecutionStarted = "FulfillmentPlanExecutionStarted"
	EventFulfillmentTaskStarted          = "FulfillmentTaskStarted"
	EventFulfillmentTaskCompleted        = "FulfillmentTaskCompleted"
	EventFulfillmentTaskFailed           = "FulfillmentTaskFailed"
	EventFulfillmentTaskTimedOut         = "FulfillmentTaskTimedOut"
	EventFulfillmentTaskSkipped          = "FulfillmentTaskSkipped"
	EventFulfillmentFalloutOpened        = "FulfillmentFalloutOpened"
	EventFulfillmentFalloutRepaired      = "FulfillmentFalloutRepaired"
	EventCompensationStarted             = "CompensationStarted"
	EventCompensationTaskCompleted       = "CompensationTaskCompleted"
	EventCompensationFailed              = "CompensationFailed"
	EventInstalledBaseUpdated            = "InstalledBaseUpdated"
	EventBillingActivationRequested      = "BillingActivationRequested"
	EventBillingActivationCompleted      = "BillingActivationCompleted"
	EventOrderFulfillmentCompleted       = "OrderFulfillmentCompleted"
	EventOrderFulfillmentFailed          = "OrderFulfillmentFailed"
)

// Event types this project adds: seed 001 §25 needs a cancellation event for
// the workflow router, and suspension/resume (seed 000 §19) must reach the
// process as messages too.
const (
	EventOrderCancellationRequested = "OrderCancellationRequested"
	EventOrderCancelled             = "OrderCancelled"
	EventOrderSuspended             = "OrderSuspended"
	EventOrderResumed               = "OrderResumed"
	EventOrderClosedManually        = "OrderClosedManually"
)

// EventVersion is the envelope schema version of every event above.
const EventVersion = 1

// Event is the envelope of seed 001 §20. Consumers rely on these exact JSON
// names, so the tags are part of the contract.
type Event struct {
	EventID       string         `json:"eventId"` // filled by the repository when empty
	EventType     string         `json:"eventType"`
	EventVersion  int            `json:"eventVersion"`
	OccurredAt    time.Time      `json:"occurredAt"`
	TenantID      string         `json:"tenantId"`
	CorrelationID string         `json:"correlationId"`
	AggregateType string         `json:"aggregateType"`
	AggregateID   string         `json:"aggregateId"`
	Payload       map[string]any `json:"payload"`
}

func newEvent(eventType, tenantID, aggType, aggID string, c Cause, payload map[string]any) Event {
	return Event{
		EventType:     eventType,
		EventVersion:  EventVersion,
		OccurredAt:    c.at(),
		TenantID:      tenantID,
		CorrelationID: c.CorrelationID,
		AggregateType: aggType,
		AggregateID:   aggID,
		Payload:       payload,
	}
}

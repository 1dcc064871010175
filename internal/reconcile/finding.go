package reconcile

import (
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// Finding is one divergence, as a pass saw it or as reconciliation_finding keeps it.
type Finding struct {
	ID       string                `json:"id,omitempty"`
	TenantID string                `json:"tenantId"`
	Kind     domain.DivergenceKind `json:"kind"`
	// Subject identifies what the finding is about within its kind; passes match on it.
	Subject            string     `json:"subject"`
	OrderID            string     `json:"orderId,omitempty"`
	FulfillmentPlanID  string     `json:"fulfillmentPlanId,omitempty"`
	ProcessInstanceKey string     `json:"processInstanceKey,omitempty"`
	TaskID             string     `json:"taskId,omitempty"`
	Detail             string     `json:"detail"`
	FirstSeen          time.Time  `json:"firstSeen"`
	LastSeen           time.Time  `json:"lastSeen"`
	SeenCount          int        `json:"seenCount"`
	ResolvedAt         *time.Time `json:"resolvedAt,omitempty"`
}

// outboxSubject is the subject of a tenant's outbox finding: the relay is one pipe per tenant's view.
const outboxSubject = "outbox"

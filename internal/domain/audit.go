package domain

import "time"

// Aggregate type names used in audit entries and event envelopes.
const (
	AggregateOrder            = "Order"
	AggregateFulfillmentPlan  = "FulfillmentPlan"
	AggregateFulfillmentTask  = "FulfillmentTask"
	AggregateFalloutCase      = "FalloutCase"
	AggregateCompensationPlan = "CompensationPlan"
	AggregateCompensationTask = "CompensationTask"
	AggregateInstalledBase    = "InstalledBaseAsset"
	AggregateManualDecision   = "ManualDecision"
	AggregateExecution        = "FulfillmentExecution"
)

// AuditEntry is one line of an order's timeline. The process engine's history
// only says an activity ran; this says which business state changed, from
// what to what, because of whom and on which evidence (seed 000 §22).
type AuditEntry struct {
	ID            string // filled by the repository when empty
	TenantID      string
	OrderID       string
	AggregateType string
	AggregateID   string
	Action        string // e.g. ORDER_TRANSITION, TASK_TRANSITION, MANUAL_DECISION
	StateBefore   string
	StateAfter    string
	ActorType     ActorType
	ActorID       string
	ReasonCode    string
	Reason        string
	EvidenceRef   string
	CorrelationID string
	Details       map[string]string
	OccurredAt    time.Time
}

// Audit actions.
const (
	AuditOrderCaptured       = "ORDER_CAPTURED"
	AuditOrderTransition     = "ORDER_TRANSITION"
	AuditPlanCreated         = "PLAN_CREATED"
	AuditPlanTransition      = "PLAN_TRANSITION"
	AuditTaskTransition      = "TASK_TRANSITION"
	AuditFalloutOpened       = "FALLOUT_OPENED"
	AuditFalloutTransition   = "FALLOUT_TRANSITION"
	AuditManualDecision      = "MANUAL_DECISION"
	AuditCompensationPlanned = "COMPENSATION_PLANNED"
	AuditCompensationStep    = "COMPENSATION_STEP_TRANSITION"
	AuditCompensationStatus  = "COMPENSATION_TRANSITION"
	AuditInstalledBase       = "INSTALLED_BASE_APPLIED"
	AuditExecutionClaimed    = "EXECUTION_CLAIMED"
	AuditDuplicateInstance   = "DUPLICATE_INSTANCE_IGNORED"
)

func newAudit(tenantID, orderID, aggType, aggID, action, before, after string, c Cause) AuditEntry {
	return AuditEntry{
		TenantID:      tenantID,
		OrderID:       orderID,
		AggregateType: aggType,
		AggregateID:   aggID,
		Action:        action,
		StateBefore:   before,
		StateAfter:    after,
		ActorType:     c.Actor.Type,
		ActorID:       c.Actor.ID,
		ReasonCode:    c.ReasonCode,
		Reason:        c.Reason,
		EvidenceRef:   c.EvidenceRef,
		CorrelationID: c.CorrelationID,
		OccurredAt:    c.at(),
	}
}

// Changes collects what an aggregate recorded since it was loaded. The
// repository writes them in the same transaction as the state change and
// then clears them, which is what makes "state + audit + outbox" atomic.
type Changes struct {
	audit  []AuditEntry
	events []Event
}

// PendingAudit returns the audit entries not yet persisted.
func (c *Changes) PendingAudit() []AuditEntry { return append([]AuditEntry(nil), c.audit...) }

// PendingEvents returns the events not yet written to the outbox.
func (c *Changes) PendingEvents() []Event { return append([]Event(nil), c.events...) }

// HasPending reports whether anything was recorded since the last flush.
func (c *Changes) HasPending() bool { return len(c.audit) > 0 || len(c.events) > 0 }

// ClearPending forgets recorded changes once they are durably stored.
func (c *Changes) ClearPending() { c.audit, c.events = nil, nil }

func (c *Changes) record(a AuditEntry, events ...Event) {
	c.audit = append(c.audit, a)
	c.events = append(c.events, events...)
}

package domain

import (
	"slices"
	"strings"
	"time"
)

// FalloutCategory classifies a business-operational failure (seed 001 §17).
type FalloutCategory string

const (
	FalloutInvalidDecompositionData FalloutCategory = "INVALID_DECOMPOSITION_DATA"
	FalloutExternalSystemRejected   FalloutCategory = "EXTERNAL_SYSTEM_REJECTED"
	FalloutResourceConflict         FalloutCategory = "RESOURCE_CONFLICT"
	FalloutAppointmentUnavailable   FalloutCategory = "APPOINTMENT_UNAVAILABLE"
	FalloutBillingActivationFailed  FalloutCategory = "BILLING_ACTIVATION_REJECTED"
	FalloutManualTaskExpired        FalloutCategory = "MANUAL_TASK_EXPIRED"
	FalloutCompensationFailed       FalloutCategory = "COMPENSATION_FAILED"
	FalloutInstalledBaseConflict    FalloutCategory = "INSTALLED_BASE_CONFLICT"
	FalloutExternalSystemTimeout    FalloutCategory = "EXTERNAL_SYSTEM_TIMEOUT"
)

var falloutCategories = []FalloutCategory{
	FalloutInvalidDecompositionData, FalloutExternalSystemRejected, FalloutResourceConflict,
	FalloutAppointmentUnavailable, FalloutBillingActivationFailed, FalloutManualTaskExpired,
	FalloutCompensationFailed, FalloutInstalledBaseConflict, FalloutExternalSystemTimeout,
}

// Valid reports whether c is a known category.
func (c FalloutCategory) Valid() bool { return slices.Contains(falloutCategories, c) }

// FalloutCategories lists every category, for the runbook and dashboard checks.
func FalloutCategories() []FalloutCategory { return slices.Clone(falloutCategories) }

// Runbook is the category's entry in docs/runbooks.md, named in every case's description.
func (c FalloutCategory) Runbook() string {
	return "docs/runbooks.md#fallout-" + strings.ReplaceAll(strings.ToLower(string(c)), "_", "-")
}

// Severity ranks how urgently operations must act.
type Severity string

const (
	SeverityLow      Severity = "LOW"
	SeverityMedium   Severity = "MEDIUM"
	SeverityHigh     Severity = "HIGH"
	SeverityCritical Severity = "CRITICAL"
)

// CustomerImpact says what the customer experiences while the case is open.
type CustomerImpact string

const (
	ImpactNone               CustomerImpact = "NONE"
	ImpactDelayed            CustomerImpact = "DELAYED"
	ImpactServiceDegraded    CustomerImpact = "SERVICE_DEGRADED"
	ImpactServiceUnavailable CustomerImpact = "SERVICE_UNAVAILABLE"
)

// RepairAction is how an operator resolves a fallout case.
type RepairAction string

const (
	RepairRetry            RepairAction = "RETRY"
	RepairSkipWithApproval RepairAction = "SKIP_WITH_APPROVAL"
	RepairCompensate       RepairAction = "COMPENSATE"
	RepairManualClose      RepairAction = "MANUAL_CLOSE"
)

// RepairActions lists every repair action.
var RepairActions = []RepairAction{RepairRetry, RepairSkipWithApproval, RepairCompensate, RepairManualClose}

// FalloutStatus is the state of a fallout case.
type FalloutStatus string

const (
	FalloutOpen      FalloutStatus = "OPEN"
	FalloutEscalated FalloutStatus = "ESCALATED"
	FalloutRepaired  FalloutStatus = "REPAIRED"
	FalloutClosed    FalloutStatus = "CLOSED"
)

// FalloutStatuses lists every fallout state.
var FalloutStatuses = []FalloutStatus{FalloutOpen, FalloutEscalated, FalloutRepaired, FalloutClosed}

var falloutTransitions = transitionTable[FalloutStatus]{
	FalloutOpen:      {FalloutEscalated, FalloutRepaired, FalloutClosed},
	FalloutEscalated: {FalloutRepaired, FalloutClosed},
	FalloutRepaired:  nil,
	FalloutClosed:    nil,
}

// CanTransitionFallout reports whether the fallout state machine allows from→to.
func CanTransitionFallout(from, to FalloutStatus) bool { return falloutTransitions.allows(from, to) }

// FalloutCase is a business-operational problem that needs repair. The first
// block of fields is exactly seed 001 §17's list.
type FalloutCase struct {
	ID                     string
	TenantID               string
	OrderID                string
	OrderItemID            string
	FulfillmentPlanID      string
	TaskID                 string
	Category               FalloutCategory
	Severity               Severity
	CustomerImpact         CustomerImpact
	Retryable              bool
	RequiresManualRepair   bool
	SuggestedRepairActions []RepairAction
	SourceSystem           string
	ExternalCorrelationID  string
	EvidenceHash           string
	CreatedAt              time.Time

	Status      FalloutStatus
	Description string
	Resolution  RepairAction
	ResolvedBy  string
	ResolvedAt  time.Time
	Version     int64

	Changes
}

package domain

// OpenFalloutInput carries what the failing worker knows.
type OpenFalloutInput struct {
	ID                    string
	TenantID              string
	OrderID               string
	OrderItemID           string
	FulfillmentPlanID     string
	TaskID                string
	Category              FalloutCategory
	Severity              Severity
	CustomerImpact        CustomerImpact
	Retryable             bool
	SourceSystem          string
	ExternalCorrelationID string
	EvidenceHash          string
	Description           string
	TaskOptional          bool
	TaskCompensatable     bool
}

// manualRepairCategories cannot be fixed by simply trying again: someone
// must change data or decide about an effect first.
var manualRepairCategories = map[FalloutCategory]bool{
	FalloutInvalidDecompositionData: true,
	FalloutCompensationFailed:       true,
	FalloutInstalledBaseConflict:    true,
	FalloutExternalSystemRejected:   true,
}

// SuggestRepairActions proposes repairs in order of preference. Suggestions
// guide the UI; an operator may still choose any repair action.
func SuggestRepairActions(c FalloutCategory, retryable, optional, compensatable bool) []RepairAction {
	var out []RepairAction
	if retryable {
		out = append(out, RepairRetry)
	}
	if optional {
		out = append(out, RepairSkipWithApproval)
	}
	if compensatable || c == FalloutCompensationFailed {
		out = append(out, RepairCompensate)
	}
	return append(out, RepairManualClose)
}

// OpenFallout creates a fallout case in state OPEN.
func OpenFallout(in OpenFalloutInput, cause Cause) (*FalloutCase, error) {
	if err := cause.validate(); err != nil {
		return nil, err
	}
	if err := requireText(map[string]string{
		"id": in.ID, "tenantId": in.TenantID, "orderId": in.OrderID,
		"fulfillmentPlanId": in.FulfillmentPlanID, "sourceSystem": in.SourceSystem,
	}); err != nil {
		return nil, err
	}
	if !in.Category.Valid() {
		return nil, Errorf(EINVALID, "unknown fallout category %q", in.Category)
	}
	sev, impact := in.Severity, in.CustomerImpact
	if sev == "" {
		sev = SeverityMedium
	}
	if impact == "" {
		impact = ImpactDelayed
	}
	fc := &FalloutCase{
		ID: in.ID, TenantID: in.TenantID, OrderID: in.OrderID, OrderItemID: in.OrderItemID,
		FulfillmentPlanID: in.FulfillmentPlanID, TaskID: in.TaskID, Category: in.Category,
		Severity: sev, CustomerImpact: impact, Retryable: in.Retryable,
		RequiresManualRepair:   manualRepairCategories[in.Category] || !in.Retryable,
		SuggestedRepairActions: SuggestRepairActions(in.Category, in.Retryable, in.TaskOptional, in.TaskCompensatable),
		SourceSystem:           in.SourceSystem, ExternalCorrelationID: in.ExternalCorrelationID,
		EvidenceHash: in.EvidenceHash, CreatedAt: cause.at(), Status: FalloutOpen, Description: in.Description,
	}
	a := newAudit(fc.TenantID, fc.OrderID, AggregateFalloutCase, fc.ID, AuditFalloutOpened, "", string(FalloutOpen), cause)
	a.Details = map[string]string{"category": string(fc.Category), "taskId": fc.TaskID}
	fc.record(a, newEvent(EventFulfillmentFalloutOpened, fc.TenantID, AggregateFalloutCase, fc.ID, cause, fc.payload()))
	return fc, nil
}

func (fc *FalloutCase) payload() map[string]any {
	actions := make([]string, len(fc.SuggestedRepairActions))
	for i, a := range fc.SuggestedRepairActions {
		actions[i] = string(a)
	}
	p := map[string]any{
		"falloutCaseId":          fc.ID,
		"orderId":                fc.OrderID,
		"orderItemId":            fc.OrderItemID,
		"fulfillmentPlanId":      fc.FulfillmentPlanID,
		"taskId":                 fc.TaskID,
		"category":               string(fc.Category),
		"severity":               string(fc.Severity),
		"customerImpact":         string(fc.CustomerImpact),
		"retryable":              fc.Retryable,
		"requiresManualRepair":   fc.RequiresManualRepair,
		"suggestedRepairActions": actions,
		"sourceSystem":           fc.SourceSystem,
		"status":                 string(fc.Status),
	}
	if fc.ExternalCorrelationID != "" {
		p["externalCorrelationId"] = fc.ExternalCorrelationID
	}
	if fc.Resolution != "" {
		p["resolution"] = string(fc.Resolution)
		p["repairAction"] = string(fc.Resolution) // the name the process variable has
	}
	return p
}

func (fc *FalloutCase) moveTo(to FalloutStatus, cause Cause, events ...Event) error {
	from := fc.Status
	if !CanTransitionFallout(from, to) {
		return transitionError("fallout case "+fc.ID, string(from), string(to))
	}
	fc.Status = to
	a := newAudit(fc.TenantID, fc.OrderID, AggregateFalloutCase, fc.ID, AuditFalloutTransition, string(from), string(to), cause)
	if fc.Resolution != "" {
		a.Details = map[string]string{"repairAction": string(fc.Resolution)}
	}
	fc.record(a, events...)
	return nil
}

// Escalate hands the case to a higher support tier.
func (fc *FalloutCase) Escalate(j Justification, correlationID string) error {
	if err := j.validate(); err != nil {
		return err
	}
	return fc.moveTo(FalloutEscalated, j.cause(correlationID, Cause{}))
}

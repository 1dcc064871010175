package domain

// EventManualDecisionRecorded tells the workflow side that an operator's
// decision on a task is stored in manual_decision; the worker that reacts
// reads the row, so the payload only names it.
const EventManualDecisionRecorded = "ManualDecisionRecorded"

// RecordedEvent is the outbox event of a stored decision. The OMS API writes
// it in the transaction that inserts the manual_decision row.
func (d ManualDecision) RecordedEvent(correlationID string) Event {
	cause := Cause{CorrelationID: correlationID, At: d.DecidedAt}
	payload := map[string]any{
		"orderId":          d.OrderID,
		"taskId":           d.TaskID,
		"decision":         string(d.Decision),
		"manualDecisionId": d.ID,
	}
	if d.PlanID != "" {
		payload["fulfillmentPlanId"] = d.PlanID
	}
	if d.FalloutCaseID != "" {
		payload["falloutCaseId"] = d.FalloutCaseID
	}
	return newEvent(EventManualDecisionRecorded, d.TenantID, AggregateManualDecision, d.ID, cause, payload)
}

package callback

import (
	"strconv"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// eventOf is the outbox event of a stored callback; its envelope is the seed 001 §20 one.
func eventOf(d delivery, res Result, eventID string) domain.Event {
	return domain.Event{
		EventID:       eventID,
		EventType:     EventExternalTaskResultReceived,
		EventVersion:  domain.EventVersion,
		OccurredAt:    d.receivedAt,
		TenantID:      d.tenantID,
		CorrelationID: correlationOf(d, res),
		AggregateType: domain.AggregateFulfillmentTask,
		AggregateID:   d.payload.TaskID,
		Payload: map[string]any{
			"orderId":               d.payload.OrderID,
			"taskId":                d.payload.TaskID,
			"externalSystem":        d.system,
			"externalCorrelationId": d.payload.ExternalCorrelationID,
			"outcome":               d.payload.Outcome,
			"reasonCode":            d.payload.ReasonCode,
			"callbackEvidenceId":    res.CallbackEvidenceID,
			"partnerEventId":        d.payload.PartnerEventID,
			"externalOccurredAt":    d.occurredAt,
		},
	}
}

// auditOf is the timeline line of a stored callback: which partner said what, on which evidence.
func auditOf(d delivery, res Result, before, after string) domain.AuditEntry {
	reason := d.payload.ReasonCode
	if reason == "" {
		reason = d.payload.Outcome
	}
	return domain.AuditEntry{
		TenantID:      d.tenantID,
		OrderID:       d.payload.OrderID,
		AggregateType: domain.AggregateFulfillmentTask,
		AggregateID:   d.payload.TaskID,
		Action:        AuditCallbackReceived,
		StateBefore:   before,
		StateAfter:    after,
		ActorType:     domain.ActorExternal,
		ActorID:       d.system,
		ReasonCode:    reason,
		Reason:        d.payload.Reason,
		EvidenceRef:   "callback_evidence:" + res.CallbackEvidenceID,
		CorrelationID: correlationOf(d, res),
		Details: map[string]string{
			"partnerEventId":        d.payload.PartnerEventID,
			"externalCorrelationId": d.payload.ExternalCorrelationID,
			"outcome":               d.payload.Outcome,
			"attemptMatched":        strconv.FormatBool(res.ExternalCallAttemptID != ""),
		},
		OccurredAt: d.receivedAt,
	}
}

// correlationOf threads the partner's correlation header through; without one the evidence id
// ties the event, the audit line and the logs together.
func correlationOf(d delivery, res Result) string {
	if d.correlationID != "" {
		return d.correlationID
	}
	return res.CallbackEvidenceID
}

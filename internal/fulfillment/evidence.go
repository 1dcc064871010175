package fulfillment

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// eventExternalTaskResultReceived is the outbox event the callback API writes for a stored
// callback (internal/callback); its eventId travels to the process as externalResultEventId.
const eventExternalTaskResultReceived = "ExternalTaskResultReceived"

// Outcomes a partner reports in a callback.
const (
	callbackCompleted = "COMPLETED"
	callbackRejected  = "REJECTED"
	callbackFailed    = "FAILED"
)

// callbackEvidence is a stored partner callback: what the partner said about which call.
type callbackEvidence struct {
	ID                    string
	ExternalSystem        string
	ExternalCorrelationID string
	OrderID               string
	TaskID                string
	Outcome               string
	ReasonCode            string
	Reason                string
	PayloadHash           string
}

// failureCode is the task failure code of a negative result.
func (e callbackEvidence) failureCode() string {
	if e.Outcome == callbackCompleted {
		return ""
	}
	if e.ReasonCode != "" {
		return e.ReasonCode
	}
	return "PARTNER_" + e.Outcome
}

// resultEvent is the part of the ExternalTaskResultReceived envelope this package reads.
type resultEvent struct {
	EventType string `json:"eventType"`
	Payload   struct {
		OrderID            string `json:"orderId"`
		TaskID             string `json:"taskId"`
		CallbackEvidenceID string `json:"callbackEvidenceId"`
	} `json:"payload"`
}

// loadResultEvidence follows the correlated event to the callback it reports. Every way the chain
// can break is bad data that names the missing link: no retry will make the evidence appear.
func loadResultEvidence(tx *postgres.Tx, ref PlanRef, taskID, eventID string) (callbackEvidence, error) {
	// The evidence names the event it emitted; evidence stored before it did is found through the
	// event's outbox row.
	e, found, err := scanEvidence(tx, evidenceByResultEvent, ref.TenantID, eventID)
	if err == nil && !found {
		e, err = evidenceViaOutbox(tx, ref, taskID, eventID)
	}
	if err != nil {
		return callbackEvidence{}, err
	}
	if e.OrderID != ref.OrderID || e.TaskID != taskID {
		return callbackEvidence{}, worker.BadDataRunbookf(worker.RunbookCorrelationFailure, "missing external correlation: callback evidence %s is for order %s task %s, not task %s",
			e.ID, e.OrderID, e.TaskID, taskID)
	}
	switch e.Outcome {
	case callbackCompleted, callbackRejected, callbackFailed:
	default:
		return callbackEvidence{}, worker.BadDataf("callback evidence %s reports unknown outcome %q", e.ID, e.Outcome)
	}
	return e, nil
}

const (
	selectEvidence = `
		select id::text, external_system, external_correlation_id, order_id::text, fulfillment_task_id::text,
		       coalesce(payload ->> 'outcome', ''), payload ->> 'reasonCode', payload ->> 'reason', payload_hash
		from callback_evidence where tenant_id = $1 and `
	evidenceByResultEvent = selectEvidence + `result_event_id = $2`
	evidenceByID          = selectEvidence + `id = $2`
)

// scanEvidence loads one callback evidence row with query (evidenceByResultEvent or evidenceByID).
func scanEvidence(tx *postgres.Tx, query, tenantID, key string) (callbackEvidence, bool, error) {
	var e callbackEvidence
	var corr, orderID, task, code, reason *string
	err := tx.Raw().QueryRow(tx.Context(), query, tenantID, key).
		Scan(&e.ID, &e.ExternalSystem, &corr, &orderID, &task, &e.Outcome, &code, &reason, &e.PayloadHash)
	if errors.Is(err, pgx.ErrNoRows) {
		return callbackEvidence{}, false, nil
	}
	if err != nil {
		return callbackEvidence{}, false, fmt.Errorf("load callback evidence %s: %w", key, err)
	}
	e.ExternalCorrelationID, e.OrderID, e.TaskID = deref(corr), deref(orderID), deref(task)
	e.ReasonCode, e.Reason = deref(code), deref(reason)
	return e, true, nil
}

// evidenceViaOutbox loads the evidence that the result event's outbox row names, once the row is
// checked against the job.
func evidenceViaOutbox(tx *postgres.Tx, ref PlanRef, taskID, eventID string) (callbackEvidence, error) {
	evidenceID, err := evidenceIDOfOutboxEvent(tx, ref, taskID, eventID)
	if err != nil {
		return callbackEvidence{}, err
	}
	e, found, err := scanEvidence(tx, evidenceByID, ref.TenantID, evidenceID)
	if err == nil && !found {
		err = worker.BadDataRunbookf(worker.RunbookCorrelationFailure, "missing external correlation: callback evidence %s named by event %s does not exist",
			evidenceID, eventID)
	}
	return e, err
}

// evidenceIDOfOutboxEvent reads the evidence id from the result event's outbox row, checked against
// the job.
func evidenceIDOfOutboxEvent(tx *postgres.Tx, ref PlanRef, taskID, eventID string) (string, error) {
	var raw []byte
	err := tx.Raw().QueryRow(tx.Context(), `select envelope from outbox_event where tenant_id = $1 and id = $2`, ref.TenantID, eventID).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", worker.BadDataRunbookf(worker.RunbookCorrelationFailure, "missing external correlation: no callback evidence or outbox event names %s (externalResultEventId) for tenant %s; "+
			"the result of task %s is not recorded", eventID, ref.TenantID, taskID)
	}
	if err != nil {
		return "", fmt.Errorf("load result event %s: %w", eventID, err)
	}
	var ev resultEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return "", worker.BadDataRunbookf(worker.RunbookSerializationFailure, "result event %s does not decode: %v", eventID, err)
	}
	switch {
	case ev.EventType != eventExternalTaskResultReceived:
		return "", worker.BadDataRunbookf(worker.RunbookCorrelationFailure, "missing external correlation: event %s is a %s, not an %s",
			eventID, ev.EventType, eventExternalTaskResultReceived)
	case ev.Payload.OrderID != ref.OrderID || ev.Payload.TaskID != taskID:
		return "", worker.BadDataRunbookf(worker.RunbookCorrelationFailure, "missing external correlation: event %s reports order %s task %s, the job is for order %s task %s",
			eventID, ev.Payload.OrderID, ev.Payload.TaskID, ref.OrderID, taskID)
	case !domain.IsUUID(ev.Payload.CallbackEvidenceID):
		return "", worker.BadDataRunbookf(worker.RunbookCorrelationFailure, "missing external correlation: event %s names no callbackEvidenceId", eventID)
	}
	return ev.Payload.CallbackEvidenceID, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

package fulfillment

import (
	"time"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// external_call_attempt and callback_evidence have no repository code: the callback API writes
// them with its own SQL, and these statements keep to the same columns and statuses.

// External call statuses this package writes (the callback API writes COMPLETED, REJECTED, FAILED).
const (
	callSubmitted = "SUBMITTED"
	callTimedOut  = "TIMED_OUT"
)

// recordExternalCall stores the accepted request of an asynchronous task, once per idempotency
// key, and links callback evidence that arrived before this row existed (a partner can answer
// faster than the submitting transaction commits).
func recordExternalCall(tx *postgres.Tx, p *domain.Plan, t *domain.Task, key string, resp adapter.Response, at time.Time) error {
	ctx, q := tx.Context(), tx.Raw()
	_, err := q.Exec(ctx, `
		insert into external_call_attempt (id, tenant_id, order_id, fulfillment_task_id, attempt_no, external_system,
		    external_correlation_id, idempotency_key, request_hash, response_hash, status, submitted_at, updated_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
		on conflict (tenant_id, idempotency_key) do nothing`,
		domain.NewUUID(), p.TenantID, p.OrderID, t.ID, t.Attempts, t.OwnerSystem, resp.ExternalCorrelationID, key,
		nullText(t.InputSnapshotHash), nullText(resp.ResponseHash), callSubmitted, at)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `
		update callback_evidence e set external_call_attempt_id = c.id
		from external_call_attempt c
		where c.tenant_id = $1 and c.idempotency_key = $2
		  and e.tenant_id = c.tenant_id and e.external_system = c.external_system
		  and e.external_correlation_id = c.external_correlation_id and e.external_call_attempt_id is null`,
		p.TenantID, key)
	return err
}

// settleExternalCall moves the task's waiting external call to the outcome the evidence
// reports, links the evidence to it and marks the evidence processed. A call already settled
// by the callback API is left as it is.
func settleExternalCall(tx *postgres.Tx, tenantID string, ev callbackEvidence, at time.Time) error {
	ctx, q := tx.Context(), tx.Raw()
	_, err := q.Exec(ctx, `
		update external_call_attempt set status = $4, response_hash = coalesce(response_hash, $5),
		    failure_code = $6, updated_at = $7, completed_at = $7, version = version + 1
		where tenant_id = $1 and external_system = $2 and external_correlation_id = $3
		  and status in ('SUBMITTED', 'ACCEPTED')`,
		tenantID, ev.ExternalSystem, ev.ExternalCorrelationID, ev.Outcome, ev.PayloadHash, nullText(ev.failureCode()), at)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `
		update callback_evidence e set processed_at = coalesce(e.processed_at, $3),
		    external_call_attempt_id = coalesce(e.external_call_attempt_id,
		        (select c.id from external_call_attempt c where c.tenant_id = e.tenant_id
		           and c.external_system = e.external_system and c.external_correlation_id = e.external_correlation_id))
		where e.tenant_id = $1 and e.id = $2`, tenantID, ev.ID, at)
	return err
}

// timeOutExternalCall marks the task's current external call TIMED_OUT, so a late callback finds
// it settled and only adds evidence.
func timeOutExternalCall(tx *postgres.Tx, tenantID string, t *domain.Task, at time.Time) error {
	_, err := tx.Raw().Exec(tx.Context(), `
		update external_call_attempt set status = $4, failure_code = 'TIMEOUT', updated_at = $5, completed_at = $5,
		    version = version + 1
		where tenant_id = $1 and fulfillment_task_id = $2 and attempt_no = $3 and status in ('SUBMITTED', 'ACCEPTED')`,
		tenantID, t.ID, t.Attempts, callTimedOut, at)
	return err
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

package callback

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// EventExternalTaskResultReceived is the outbox event a stored callback emits; the correlation
// router turns it into the message the waiting process instance catches.
const EventExternalTaskResultReceived = "ExternalTaskResultReceived"

// AuditCallbackReceived is the timeline action of a stored callback.
const AuditCallbackReceived = "EXTERNAL_CALLBACK_RECEIVED"

// Result is what the handler answers, for the first delivery and, unchanged, for every redelivery.
type Result struct {
	CallbackEvidenceID    string    `json:"callbackEvidenceId"`
	ExternalCallAttemptID string    `json:"externalCallAttemptId,omitempty"`
	Outcome               string    `json:"outcome"`
	ReceivedAt            time.Time `json:"receivedAt"`
	Duplicate             bool      `json:"duplicate"`
}

// delivery is one authenticated, valid callback.
type delivery struct {
	tenantID, system string
	payload          Payload
	occurredAt       time.Time
	raw              []byte
	hash             string
	correlationID    string
	receivedAt       time.Time
}

// attemptRow is the external call a callback answers.
type attemptRow struct {
	id, orderID, taskID, status string
}

// record stores one delivery: evidence, attempt update, audit and outbox event in one
// transaction. A redelivery writes nothing and returns the first delivery's result.
func record(ctx context.Context, store *postgres.Store, d delivery) (Result, error) {
	var res Result
	err := store.Do(ctx, func(tx *postgres.Tx) error {
		res = Result{}
		q := tx.Raw()
		var owner string
		err := q.QueryRow(ctx, `select owner_system from fulfillment_task where tenant_id = $1 and id = $2 and order_id = $3`,
			d.tenantID, d.payload.TaskID, d.payload.OrderID).Scan(&owner)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && owner != d.system) {
			return refuse(http.StatusNotFound, CodeUnknownTask,
				fmt.Sprintf("no %s task %s in order %s", d.system, d.payload.TaskID, d.payload.OrderID))
		}
		if err != nil {
			return fmt.Errorf("load task: %w", err)
		}
		att, err := lockAttempt(ctx, q, d)
		if err != nil {
			return err
		}
		res.Outcome, res.ReceivedAt = d.payload.Outcome, d.receivedAt
		if att != nil {
			res.ExternalCallAttemptID = att.id
		}
		var attemptID *string
		if att != nil {
			attemptID = &att.id
		}
		// The evidence names the event it emits, so the result can be followed from the event's id
		// after the outbox relay has deleted the event's row.
		eventID := domain.NewUUID()
		err = q.QueryRow(ctx, `
			insert into callback_evidence (id, tenant_id, external_system, callback_id, external_correlation_id,
			    external_call_attempt_id, order_id, fulfillment_task_id, signature_valid, payload, payload_hash, received_at,
			    result_event_id)
			values ($1, $2, $3, $4, $5, $6, $7, $8, true, $9, $10, $11, $12)
			on conflict (tenant_id, external_system, callback_id) do nothing
			returning id`,
			domain.NewUUID(), d.tenantID, d.system, d.payload.PartnerEventID, d.payload.ExternalCorrelationID,
			attemptID, d.payload.OrderID, d.payload.TaskID, string(d.raw), d.hash, d.receivedAt, eventID).Scan(&res.CallbackEvidenceID)
		if errors.Is(err, pgx.ErrNoRows) {
			res, err = firstDelivery(ctx, q, d)
			return err // nothing was written by this delivery
		}
		if err != nil {
			return fmt.Errorf("store evidence: %w", err)
		}
		before, after, err := settleAttempt(ctx, q, att, d)
		if err != nil {
			return err
		}
		tx.Record([]domain.AuditEntry{auditOf(d, res, before, after)}, []domain.Event{eventOf(d, res, eventID)})
		return nil
	})
	return res, err
}

// lockAttempt finds the external call by its correlation id and locks it, so concurrent
// deliveries of one callback settle it once. nil means the call is not (yet) recorded: the
// submitting worker may still be storing it, so the callback is kept as unlinked evidence.
func lockAttempt(ctx context.Context, q pgx.Tx, d delivery) (*attemptRow, error) {
	var a attemptRow
	err := q.QueryRow(ctx, `
		select id::text, order_id::text, fulfillment_task_id::text, status from external_call_attempt
		where tenant_id = $1 and external_system = $2 and external_correlation_id = $3 for update`,
		d.tenantID, d.system, d.payload.ExternalCorrelationID).Scan(&a.id, &a.orderID, &a.taskID, &a.status)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load external call: %w", err)
	}
	if a.orderID != d.payload.OrderID || a.taskID != d.payload.TaskID {
		return nil, refuse(http.StatusConflict, CodeCorrelationMismatch,
			fmt.Sprintf("external correlation id %s belongs to another task", d.payload.ExternalCorrelationID))
	}
	return &a, nil
}

// firstDelivery loads the result of the delivery that stored this partner event id.
func firstDelivery(ctx context.Context, q pgx.Tx, d delivery) (Result, error) {
	var r Result
	var hash string
	var attemptID *string
	err := q.QueryRow(ctx, `
		select id::text, external_call_attempt_id::text, payload ->> 'outcome', payload_hash, received_at
		from callback_evidence where tenant_id = $1 and external_system = $2 and callback_id = $3`,
		d.tenantID, d.system, d.payload.PartnerEventID).Scan(&r.CallbackEvidenceID, &attemptID, &r.Outcome, &hash, &r.ReceivedAt)
	if err != nil {
		return r, fmt.Errorf("load first delivery: %w", err)
	}
	if hash != d.hash {
		return r, refuse(http.StatusConflict, CodeEventIDReused,
			fmt.Sprintf("partner event id %s was delivered before with a different payload", d.payload.PartnerEventID))
	}
	if attemptID != nil {
		r.ExternalCallAttemptID = *attemptID
	}
	r.ReceivedAt, r.Duplicate = r.ReceivedAt.UTC(), true
	return r, nil
}

// settleAttempt moves a waiting external call to the reported outcome. A call already settled
// (a late callback after a timeout, say) keeps its state; the evidence and event still record
// what the partner said.
func settleAttempt(ctx context.Context, q pgx.Tx, att *attemptRow, d delivery) (before, after string, err error) {
	if att == nil {
		return "", "", nil
	}
	if att.status != "SUBMITTED" && att.status != "ACCEPTED" {
		return att.status, att.status, nil
	}
	var failure *string
	if d.payload.Outcome != OutcomeCompleted {
		failure = &d.payload.ReasonCode
	}
	_, err = q.Exec(ctx, `
		update external_call_attempt set status = $3, response_hash = $4, failure_code = $5,
		    updated_at = $6, completed_at = $6, version = version + 1
		where tenant_id = $1 and id = $2`,
		d.tenantID, att.id, d.payload.Outcome, d.hash, failure, d.receivedAt)
	if err != nil {
		return "", "", fmt.Errorf("update external call: %w", err)
	}
	return att.status, d.payload.Outcome, nil
}

package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// saveAttempts writes the attempt records a plan produced. A new attempt is
// inserted; an attempt already stored is updated with its outcome, but
// only if it still carries the same idempotency key.
func (t *Tx) saveAttempts(p *domain.Plan) error {
	for _, a := range p.PendingAttempts() {
		if a.ID == "" {
			a.ID = t.store.newID()
		}
		tag, err := t.tx.Exec(t.ctx, `
			insert into fulfillment_task_attempt (id, tenant_id, order_id, fulfillment_task_id, attempt_no, status,
			    idempotency_key, external_system, external_correlation_id, request_hash, response_hash, failure_code,
			    failure_message, started_at, completed_at, attempt_purpose)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			on conflict (tenant_id, fulfillment_task_id, attempt_no) do update set
			    status = excluded.status,
			    external_correlation_id = coalesce(excluded.external_correlation_id, fulfillment_task_attempt.external_correlation_id),
			    request_hash = coalesce(excluded.request_hash, fulfillment_task_attempt.request_hash),
			    response_hash = coalesce(excluded.response_hash, fulfillment_task_attempt.response_hash),
			    failure_code = excluded.failure_code,
			    failure_message = excluded.failure_message,
			    completed_at = excluded.completed_at
			where fulfillment_task_attempt.idempotency_key = excluded.idempotency_key`,
			a.ID, a.TenantID, a.OrderID, a.TaskID, a.AttemptNo, a.Status, a.IdempotencyKey, nullString(a.ExternalSystem),
			nullString(a.ExternalCorrelationID), nullString(a.RequestHash), nullString(a.ResponseHash),
			nullString(a.FailureCode), nullString(a.FailureMessage), a.StartedAt, nullTime(a.CompletedAt), a.Purpose)
		if err != nil {
			return mapError("save attempt", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.ECONFLICT, "attempt %d of task %s is stored under another idempotency key", a.AttemptNo, a.TaskID)
		}
	}
	return nil
}

// AppendAttempt inserts an attempt idempotently: if one with the same
// idempotency key exists it is returned with created=false; a different
// attempt under the same number is a conflict.
func (s *Store) AppendAttempt(ctx context.Context, a domain.Attempt) (stored domain.Attempt, created bool, err error) {
	if a.ID == "" {
		a.ID = s.newID()
	}
	err = s.Do(ctx, func(tx *Tx) error {
		tag, err := tx.tx.Exec(ctx, `
			insert into fulfillment_task_attempt (id, tenant_id, order_id, fulfillment_task_id, attempt_no, status,
			    idempotency_key, external_system, external_correlation_id, request_hash, response_hash, failure_code,
			    failure_message, started_at, completed_at, attempt_purpose)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			on conflict (tenant_id, fulfillment_task_id, idempotency_key) do nothing`,
			a.ID, a.TenantID, a.OrderID, a.TaskID, a.AttemptNo, a.Status, a.IdempotencyKey, nullString(a.ExternalSystem),
			nullString(a.ExternalCorrelationID), nullString(a.RequestHash), nullString(a.ResponseHash),
			nullString(a.FailureCode), nullString(a.FailureMessage), a.StartedAt, nullTime(a.CompletedAt), a.Purpose)
		if err != nil {
			return mapError("append attempt", err)
		}
		created = tag.RowsAffected() == 1
		stored, err = tx.attemptByKey(a.TenantID, a.TaskID, a.IdempotencyKey)
		return err
	})
	return stored, created, err
}

const attemptColumns = `id, tenant_id, order_id, fulfillment_task_id, attempt_no, attempt_purpose, status, idempotency_key,
	external_system, external_correlation_id, request_hash, response_hash, failure_code, failure_message, started_at, completed_at`

func scanAttempt(r pgx.CollectableRow) (domain.Attempt, error) {
	var a domain.Attempt
	var sys, corr, req, resp, code, msg *string
	var completed *time.Time
	err := r.Scan(&a.ID, &a.TenantID, &a.OrderID, &a.TaskID, &a.AttemptNo, &a.Purpose, &a.Status, &a.IdempotencyKey,
		&sys, &corr, &req, &resp, &code, &msg, &a.StartedAt, &completed)
	a.ExternalSystem, a.ExternalCorrelationID, a.RequestHash, a.ResponseHash = str(sys), str(corr), str(req), str(resp)
	a.FailureCode, a.FailureMessage, a.CompletedAt = str(code), str(msg), tm(completed)
	a.StartedAt = a.StartedAt.UTC()
	return a, err
}

func (t *Tx) attemptByKey(tenantID, taskID, key string) (domain.Attempt, error) {
	rows, err := t.tx.Query(t.ctx, `select `+attemptColumns+` from fulfillment_task_attempt
		where tenant_id = $1 and fulfillment_task_id = $2 and idempotency_key = $3`, tenantID, taskID, key)
	if err != nil {
		return domain.Attempt{}, mapError("load attempt", err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanAttempt)
	return a, mapError("load attempt", err)
}

// Attempts lists a task's attempts in attempt order.
func (s *Store) Attempts(ctx context.Context, tenantID, taskID string) ([]domain.Attempt, error) {
	rows, err := s.pool.Query(ctx, `select `+attemptColumns+` from fulfillment_task_attempt
		where tenant_id = $1 and fulfillment_task_id = $2 order by attempt_no`, tenantID, taskID)
	if err != nil {
		return nil, mapError("list attempts", err)
	}
	out, err := pgx.CollectRows(rows, scanAttempt)
	return out, mapError("list attempts", err)
}

package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/tracecontext"
)

// flushJournal writes the audit entries and outbox events gathered in this
// unit of work. It runs last so that the rows describe stored state.
func (t *Tx) flushJournal() error {
	audit, events := t.pendingJournal()
	for _, a := range audit {
		if a.ID == "" {
			a.ID = t.store.newID()
		}
		details := a.Details
		if details == nil {
			details = map[string]string{}
		}
		_, err := t.tx.Exec(t.ctx, `
			insert into audit_entry (id, tenant_id, order_id, aggregate_type, aggregate_id, action, state_before, state_after,
			    actor_type, actor_id, reason_code, reason, evidence_ref, correlation_id, details, occurred_at)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			a.ID, a.TenantID, nullString(a.OrderID), a.AggregateType, a.AggregateID, a.Action, a.StateBefore, a.StateAfter,
			a.ActorType, a.ActorID, nullString(a.ReasonCode), nullString(a.Reason), nullString(a.EvidenceRef),
			nullString(a.CorrelationID), details, a.OccurredAt)
		if err != nil {
			return mapError("insert audit entry", err)
		}
	}
	for _, e := range events {
		if e.EventID == "" {
			e.EventID = t.store.newID()
		}
		envelope, err := json.Marshal(e)
		if err != nil {
			return domain.Errorf(domain.EINVALID, "event %s cannot be encoded: %v", e.EventType, err)
		}
		_, err = t.tx.Exec(t.ctx, `
			insert into outbox_event (id, tenant_id, event_type, event_version, aggregate_type, aggregate_id,
			    correlation_id, message_key, envelope, occurred_at, traceparent)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			e.EventID, e.TenantID, e.EventType, e.EventVersion, e.AggregateType, e.AggregateID,
			nullString(e.CorrelationID), messageKey(e), string(envelope), e.OccurredAt, nullString(tracecontext.From(t.ctx)))
		if err != nil {
			return mapError("insert outbox event", err)
		}
	}
	return nil
}

// messageKey keeps every event of one order on one Kafka partition, so
// consumers see an order's facts in the order they happened.
func messageKey(e domain.Event) string {
	if id, ok := e.Payload["orderId"].(string); ok && id != "" {
		return e.TenantID + ":" + id
	}
	return e.TenantID + ":" + e.AggregateID
}

// Timeline returns an order's audit entries oldest first (seed 001 §22
// GET /orders/{id}/timeline).
func (s *Store) Timeline(ctx context.Context, tenantID, orderID string) ([]domain.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `
		select id, tenant_id, order_id::text, aggregate_type, aggregate_id::text, action, state_before, state_after,
		       actor_type, actor_id, reason_code, reason, evidence_ref, correlation_id, details, occurred_at
		from audit_entry where tenant_id = $1 and order_id = $2 order by occurred_at, seq`, tenantID, orderID)
	if err != nil {
		return nil, mapError("timeline", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.AuditEntry, error) {
		var a domain.AuditEntry
		var orderID, code, reason, evidence, corr *string
		var at time.Time
		err := r.Scan(&a.ID, &a.TenantID, &orderID, &a.AggregateType, &a.AggregateID, &a.Action, &a.StateBefore,
			&a.StateAfter, &a.ActorType, &a.ActorID, &code, &reason, &evidence, &corr, &a.Details, &at)
		a.OrderID, a.ReasonCode, a.Reason, a.EvidenceRef, a.CorrelationID = str(orderID), str(code), str(reason), str(evidence), str(corr)
		a.OccurredAt = at.UTC()
		return a, err
	})
	return out, mapError("timeline", err)
}

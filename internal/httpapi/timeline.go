package httpapi

import (
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/orderfleet/orderfleet/internal/omsapi"
)

// Timeline sources, in the order they sort within one instant: the state
// change first, then the work and evidence around it, then the fact
// published about it.
const (
	SourceAudit       = "audit"
	SourceTaskAttempt = "taskAttempt"
	SourceCallback    = "callback"
	SourceEvent       = "event"
)

// timelineRow is an entry with the sort key the next page's cursor starts after.
type timelineRow struct {
	omsapi.TimelineEntry
	rank int
	tie  string
}

// timelineSQL merges the four journals of an order into one stream ordered
// by (time, source rank, tie-breaker). The tie-breaker is the journal's own
// insertion order where it has one (audit seq, outbox position), so entries
// of the same instant keep the order they were written in.
const timelineSQL = `
with merged as (
  select a.occurred_at as at, 0 as rank, lpad(a.seq::text, 20, '0') as tie, 'audit' as source, a.action as type,
         a.aggregate_type, a.aggregate_id::text as aggregate_id,
         jsonb_strip_nulls(jsonb_build_object('stateBefore', nullif(a.state_before, ''), 'stateAfter', nullif(a.state_after, ''),
           'actorType', a.actor_type, 'actorId', a.actor_id, 'reasonCode', a.reason_code, 'reason', a.reason,
           'evidenceRef', a.evidence_ref, 'correlationId', a.correlation_id, 'details', a.details)) as details
  from audit_entry a where a.tenant_id = $1 and a.order_id = $2::uuid
  union all
  select t.started_at, 1, t.id::text || ':1', 'taskAttempt', 'ATTEMPT_STARTED', 'FulfillmentTask', t.fulfillment_task_id::text,
         jsonb_strip_nulls(jsonb_build_object('attemptId', t.id, 'attemptNo', t.attempt_no, 'purpose', t.attempt_purpose,
           'idempotencyKey', t.idempotency_key, 'externalSystem', t.external_system, 'requestHash', t.request_hash))
  from fulfillment_task_attempt t where t.tenant_id = $1 and t.order_id = $2::uuid
  union all
  select t.completed_at, 1, t.id::text || ':2', 'taskAttempt', 'ATTEMPT_' || t.status, 'FulfillmentTask', t.fulfillment_task_id::text,
         jsonb_strip_nulls(jsonb_build_object('attemptId', t.id, 'attemptNo', t.attempt_no, 'status', t.status,
           'externalCorrelationId', t.external_correlation_id, 'responseHash', t.response_hash,
           'failureCode', t.failure_code, 'failureMessage', t.failure_message))
  from fulfillment_task_attempt t where t.tenant_id = $1 and t.order_id = $2::uuid and t.completed_at is not null
  union all
  select c.received_at, 2, c.id::text, 'callback', 'CALLBACK_RECEIVED', 'FulfillmentTask', coalesce(c.fulfillment_task_id::text, ''),
         jsonb_strip_nulls(jsonb_build_object('callbackEvidenceId', c.id, 'externalSystem', c.external_system,
           'callbackId', c.callback_id, 'externalCorrelationId', c.external_correlation_id, 'signatureValid', c.signature_valid,
           'payloadHash', c.payload_hash, 'processedAt', c.processed_at))
  from callback_evidence c where c.tenant_id = $1 and c.order_id = $2::uuid
  union all
  select e.occurred_at, 3, lpad(e.position::text, 20, '0'), 'event', e.event_type, e.aggregate_type, e.aggregate_id,
         jsonb_strip_nulls(jsonb_build_object('eventId', e.id, 'correlationId', e.correlation_id,
           'payload', e.envelope -> 'payload', 'publishedAt',
           (select p.published_at from outbox_publication p where p.last_position >= e.position order by p.last_position limit 1)))
  from outbox_event e where e.tenant_id = $1 and e.message_key = $1 || ':' || $2
)
select at, rank, tie, source, type, aggregate_type, aggregate_id, details from merged
where $3::timestamptz is null or (at, rank, tie collate "C") > ($3, $4::int, $5::text collate "C")
order by at, rank, tie collate "C"
limit $6`

// timeline answers an order's history (seed 001 §22, seed 000 §22): domain
// audit, task attempts, partner callbacks and outbox events, merged in time
// order and paged. Events are listed as long as the outbox keeps published
// rows (outbox-relay --after-publish=mark, its default).
func (s *Server) timeline(c *call) (any, error) {
	orderID, err := c.pathID("orderId")
	if err != nil {
		return nil, err
	}
	pg, err := s.parsePage(c, "timeline")
	if err != nil {
		return nil, err
	}
	if err := s.orderExists(c, orderID); err != nil {
		return nil, err
	}
	var after *time.Time
	var rank int
	var tie string
	if pg.after != nil {
		at := pg.after.At
		after, rank, tie = &at, pg.after.Rank, pg.after.ID
	}
	rows, err := s.store.Pool().Query(c.r.Context(), timelineSQL, c.tenantID, orderID, after, rank, tie, pg.limit+1)
	if err != nil {
		return nil, err
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (timelineRow, error) {
		var e timelineRow
		err := r.Scan(&e.At, &e.rank, &e.tie, &e.Source, &e.Type, &e.AggregateType, &e.AggregateID, &e.Details)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, err
	}
	return cut(entries, pg.limit, func(e timelineRow) cursor {
		return cursor{List: "timeline", At: e.At, Rank: e.rank, ID: e.tie}
	}), nil
}

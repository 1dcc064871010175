package correlation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// The inbox is written in two steps around the publish, each committed on its own, so no
// transaction stays open while the engine answers: a claim (status RECEIVED) before it, and the
// correlation record plus status PROCESSED after it. Only PROCESSED stops a redelivery; a RECEIVED
// row means the publish may or may not have happened, so it is sent again and the engine drops a
// repeat as ALREADY_EXISTS.

// inboxClaim is one record's claim and, once written, what the inbox knew about its eventId.
type inboxClaim struct {
	tenantID, messageID, source, eventType, payloadHash string

	inboxID   string
	processed bool // an earlier delivery finished it
}

func newInboxClaim(m kafka.Message, e domain.Event) *inboxClaim {
	sum := sha256.Sum256(m.Value)
	return &inboxClaim{tenantID: e.TenantID, messageID: e.EventID, source: "kafka:" + m.Topic, eventType: e.EventType,
		payloadHash: hex.EncodeToString(sum[:])}
}

// claimInbox inserts the eventIds not seen before; the ones it skips were claimed before, and their
// status is looked up afterwards, in a statement of its own so that it also sees a claim another
// router committed while this insert waited for it. Two records of one eventId in the same batch
// share the inserted row and both publish; the engine keeps one. The dispatcher makes that rare:
// one key's records are never handled at the same time.
const claimInbox = `
	insert into inbox_event (id, tenant_id, consumer, message_id, source, event_type, payload_hash)
	select gen_random_uuid(), tenant_id, $1, message_id, source, event_type, payload_hash
	from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) as t(tenant_id, message_id, source, event_type, payload_hash)
	on conflict (tenant_id, consumer, message_id) do nothing
	returning tenant_id, message_id, id::text`

const lookupInbox = `select id::text, status from inbox_event where tenant_id = $1 and consumer = $2 and message_id = $3`

type inboxKey struct{ tenantID, messageID string }

func (r *Router) writeClaims(ctx context.Context, claims []*inboxClaim) error {
	cols := make([][]string, 5)
	for _, c := range claims {
		for i, v := range []string{c.tenantID, c.messageID, c.source, c.eventType, c.payloadHash} {
			cols[i] = append(cols[i], v)
		}
	}
	rows, err := r.db.Query(ctx, claimInbox, r.cfg.Consumer, cols[0], cols[1], cols[2], cols[3], cols[4])
	if err != nil {
		return fmt.Errorf("inbox claim: %w", err)
	}
	inserted := map[inboxKey]string{}
	var key inboxKey
	var id string
	_, err = pgx.ForEachRow(rows, []any{&key.tenantID, &key.messageID, &id}, func() error {
		inserted[key] = id
		return nil
	})
	if err != nil {
		return fmt.Errorf("inbox claim: %w", err)
	}
	b := &pgx.Batch{}
	var seen []*inboxClaim
	for _, c := range claims {
		c.inboxID, c.processed = inserted[inboxKey{c.tenantID, c.messageID}], false
		if c.inboxID == "" {
			seen = append(seen, c)
			b.Queue(lookupInbox, c.tenantID, r.cfg.Consumer, c.messageID)
		}
	}
	if len(seen) == 0 {
		return nil
	}
	res := r.db.SendBatch(ctx, b)
	defer res.Close()
	for _, c := range seen {
		var status string
		if err := res.QueryRow().Scan(&c.inboxID, &status); err != nil {
			return fmt.Errorf("inbox lookup of %s: %w", c.messageID, err)
		}
		c.processed = status == "PROCESSED"
	}
	return res.Close()
}

// inboxFinish is what is recorded once the engine has a record's message.
type inboxFinish struct {
	event   domain.Event
	msg     Message
	inboxID string
}

// recordCorrelations keeps one row per (tenant, message name, correlation key): a later message for
// the same key, such as the result of a retried task, updates it (last message id, publish count)
// rather than adding a row. The process instance comes from order_workflow_ref when the OMS knows it.
// It takes a batch, each key at most once (an upsert may not touch a row twice), with the number of
// messages published for the key; then it marks the batch's inbox rows PROCESSED.
const recordCorrelations = `
	with input as (
		select * from unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::int[])
		    as t(tenant_id, order_id, message_name, correlation_key, aggregate_type, aggregate_id, message_id, publishes)
	), correlation as (
		insert into workflow_message_correlation (id, tenant_id, process_instance_key, message_name, correlation_key,
		    aggregate_type, aggregate_id, status, created_at, message_id, publish_count, last_published_at)
		select gen_random_uuid(), i.tenant_id,
		    coalesce((select process_instance_key from order_workflow_ref r
		              where r.tenant_id = i.tenant_id and r.order_id = i.order_id order by started_at desc limit 1), ''),
		    i.message_name, i.correlation_key, i.aggregate_type, i.aggregate_id, 'PUBLISHED', now(), i.message_id, i.publishes, now()
		from input i
		on conflict (tenant_id, message_name, correlation_key) do update set
		    process_instance_key = coalesce(nullif(excluded.process_instance_key, ''), workflow_message_correlation.process_instance_key),
		    aggregate_type = excluded.aggregate_type, aggregate_id = excluded.aggregate_id, status = excluded.status,
		    message_id = excluded.message_id, publish_count = workflow_message_correlation.publish_count + excluded.publish_count,
		    last_published_at = excluded.last_published_at
	)
	update inbox_event set status = 'PROCESSED', processed_at = clock_timestamp() where id = any($9::uuid[])`

type correlationKey struct{ tenantID, name, key string }

// writeFinishes records the correlations and marks the inbox rows PROCESSED in one statement. When
// several messages of one key are in the batch, the last in queue order (the dispatcher keeps one
// Kafka key's records in order) is recorded, counted as many times as it had messages.
func (r *Router) writeFinishes(ctx context.Context, finishes []*inboxFinish) error {
	last := map[correlationKey]int{}
	var order []correlationKey
	counts := map[correlationKey]int32{}
	inboxIDs := make([]string, len(finishes))
	for i, f := range finishes {
		k := correlationKey{f.event.TenantID, f.msg.Name, f.msg.CorrelationKey}
		if _, ok := last[k]; !ok {
			order = append(order, k)
		}
		last[k] = i
		counts[k]++
		inboxIDs[i] = f.inboxID
	}
	cols := make([][]string, 7)
	publishes := make([]int32, 0, len(order))
	for _, k := range order {
		f := finishes[last[k]]
		e, msg := f.event, f.msg
		for i, v := range []string{e.TenantID, msg.OrderID, msg.Name, msg.CorrelationKey, e.AggregateType, e.AggregateID, msg.MessageID} {
			cols[i] = append(cols[i], v)
		}
		publishes = append(publishes, counts[k])
	}
	_, err := r.db.Exec(ctx, recordCorrelations, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], publishes, inboxIDs)
	if err != nil {
		return fmt.Errorf("record correlation: %w", err)
	}
	return nil
}

package correlation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// The inbox is consulted before the publish and written after it, so no transaction stays open
// while the engine answers: a read finds eventIds already PROCESSED (a redelivery stops there), and
// one commit after the publish records the correlation and the inbox row as PROCESSED. A record whose
// publish got through but whose commit did not is published again on redelivery; the engine drops the
// repeat as ALREADY_EXISTS. Both steps are batched with the other records handled at the same time.

// inboxCheck is one record's look-up and, once done, whether an earlier delivery finished it.
type inboxCheck struct {
	tenantID, messageID string
	processed           bool
}

// processedInbox looks a batch of eventIds up in one statement. The lateral probe runs once per
// eventId on the full inbox key, so it stays a unique-index probe however stale the table's
// statistics are; one statement instead of one per record spares the database most of its work.
const processedInbox = `
	select t.ord::int from unnest($1::text[], $2::text[]) with ordinality as t(tenant_id, message_id, ord)
	cross join lateral (
		select 1 from inbox_event e
		where e.tenant_id = t.tenant_id and e.consumer = $3 and e.message_id = t.message_id and e.status = 'PROCESSED'
		limit 1) p`

func (r *Router) checkInbox(ctx context.Context, checks []*inboxCheck) error {
	tenants, ids := make([]string, len(checks)), make([]string, len(checks))
	for i, c := range checks {
		tenants[i], ids[i] = c.tenantID, c.messageID
	}
	rows, err := r.db.Query(ctx, processedInbox, tenants, ids, r.cfg.Consumer)
	if err != nil {
		return fmt.Errorf("inbox check: %w", err)
	}
	var ord int
	_, err = pgx.ForEachRow(rows, []any{&ord}, func() error {
		if ord < 1 || ord > len(checks) {
			return fmt.Errorf("inbox check answered for entry %d of %d", ord, len(checks))
		}
		checks[ord-1].processed = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("inbox check: %w", err)
	}
	return nil
}

// inboxFinish is what is recorded once the engine has a record's message.
type inboxFinish struct {
	event       domain.Event
	msg         Message
	source      string
	payloadHash string
	receivedAt  time.Time // when the router took the record up
}

func newInboxFinish(m kafka.Message, e domain.Event, msg Message, receivedAt time.Time) *inboxFinish {
	sum := sha256.Sum256(m.Value)
	return &inboxFinish{event: e, msg: msg, source: "kafka:" + m.Topic, payloadHash: hex.EncodeToString(sum[:]), receivedAt: receivedAt}
}

// recordProcessed keeps one workflow_message_correlation row per (tenant, message name, correlation
// key): a later message for the same key, such as the result of a retried task, updates it (last
// message id, publish count) rather than adding a row. The process instance comes from
// order_workflow_ref when the OMS knows it. $1..$8 are one entry per key (an upsert may not touch a
// row twice), with the number of messages published for it; $9..$14 are the inbox rows, inserted
// as PROCESSED. An inbox row that exists already was written by a concurrent delivery of the same
// event, whose publish the engine kept. The uuids travel as text and are cast here: pgx cannot send
// a Go string as a binary uuid, and failing over to text for each batch cost more than the cast.
const recordProcessed = `
	with input as (
		select tenant_id, order_id::uuid, message_name, correlation_key, aggregate_type, aggregate_id::uuid, message_id, publishes
		from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
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
	insert into inbox_event (id, tenant_id, consumer, message_id, source, event_type, payload_hash, status, received_at, processed_at)
	select gen_random_uuid(), tenant_id, $9, message_id, source, event_type, payload_hash, 'PROCESSED', received_at, clock_timestamp()
	from unnest($10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[])
	    as t(tenant_id, message_id, source, event_type, payload_hash, received_at)
	on conflict (tenant_id, consumer, message_id) do nothing`

type correlationKey struct{ tenantID, name, key string }

// writeFinishes records a batch in one statement and one commit. When several messages of one
// correlation key are in the batch, the last in queue order (the dispatcher keeps one Kafka key's
// records in order) is recorded, counted as many times as it had messages.
func (r *Router) writeFinishes(ctx context.Context, finishes []*inboxFinish) error {
	last := map[correlationKey]int{}
	counts := map[correlationKey]int32{}
	var order []correlationKey
	inbox := make([][]string, 5)
	receivedAt := make([]time.Time, len(finishes))
	for i, f := range finishes {
		k := correlationKey{f.event.TenantID, f.msg.Name, f.msg.CorrelationKey}
		if _, ok := last[k]; !ok {
			order = append(order, k)
		}
		last[k] = i
		counts[k]++
		for c, v := range []string{f.event.TenantID, f.event.EventID, f.source, f.event.EventType, f.payloadHash} {
			inbox[c] = append(inbox[c], v)
		}
		receivedAt[i] = f.receivedAt
	}
	correlations := make([][]string, 7)
	publishes := make([]int32, 0, len(order))
	for _, k := range order {
		f := finishes[last[k]]
		e, msg := f.event, f.msg
		for c, v := range []string{e.TenantID, msg.OrderID, msg.Name, msg.CorrelationKey, e.AggregateType, e.AggregateID, msg.MessageID} {
			correlations[c] = append(correlations[c], v)
		}
		publishes = append(publishes, counts[k])
	}
	_, err := r.db.Exec(ctx, recordProcessed, correlations[0], correlations[1], correlations[2], correlations[3], correlations[4],
		correlations[5], correlations[6], publishes, r.cfg.Consumer, inbox[0], inbox[1], inbox[2], inbox[3], inbox[4], receivedAt)
	if err != nil {
		return fmt.Errorf("record correlation and inbox: %w", err)
	}
	return nil
}

package correlation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// inboxTx is the router's transaction for one record, on one pooled session. It is sent as two
// pipelined round trips, begin + inbox insert before the publish and correlation + commit after
// it, because every round trip is held across an engine call by each of the router's workers.
type inboxTx struct {
	conn *pgxpool.Conn
	open bool
}

const insertInbox = `
	insert into inbox_event (id, tenant_id, consumer, message_id, source, event_type, payload_hash)
	values (gen_random_uuid(), $1, $2, $3, $4, $5, $6)
	on conflict (tenant_id, consumer, message_id) do nothing
	returning id::text`

// beginInbox opens the transaction and claims the eventId in the inbox. An empty inbox id means the
// event was processed before; a concurrent first delivery makes the insert wait for its outcome.
func (r *Router) beginInbox(ctx context.Context, m kafka.Message, e domain.Event) (*inboxTx, string, error) {
	conn, err := r.db.Acquire(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("acquire: %w", err)
	}
	tx := &inboxTx{conn: conn, open: true}
	sum := sha256.Sum256(m.Value)
	b := &pgx.Batch{}
	b.Queue("begin")
	b.Queue(insertInbox, e.TenantID, r.cfg.Consumer, e.EventID, "kafka:"+m.Topic, e.EventType, hex.EncodeToString(sum[:]))
	res := conn.SendBatch(ctx, b)
	_, err = res.Exec()
	var inboxID string
	if err == nil {
		err = res.QueryRow().Scan(&inboxID)
	}
	closeErr := res.Close()
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return tx, "", closeErr
	case err == nil:
		err = closeErr
	}
	if err != nil {
		tx.release(ctx)
		return nil, "", fmt.Errorf("inbox insert: %w", err)
	}
	return tx, inboxID, nil
}

// recordCorrelation keeps one row per (tenant, message name, correlation key): a later message for
// the same key, such as the result of a retried task, updates it (last message id, publish count)
// rather than adding a row. The process instance comes from order_workflow_ref when the OMS knows it.
const recordCorrelation = `
	with ref as (
		select process_instance_key from order_workflow_ref
		where tenant_id = $1 and order_id = $2::uuid order by started_at desc limit 1
	), correlation as (
		insert into workflow_message_correlation (id, tenant_id, process_instance_key, message_name, correlation_key,
		    aggregate_type, aggregate_id, status, created_at, message_id, publish_count, last_published_at)
		values (gen_random_uuid(), $1, coalesce((select process_instance_key from ref), ''), $3, $4, $5, $6::uuid,
		    'PUBLISHED', now(), $7, 1, now())
		on conflict (tenant_id, message_name, correlation_key) do update set
		    process_instance_key = coalesce(nullif(excluded.process_instance_key, ''), workflow_message_correlation.process_instance_key),
		    aggregate_type = excluded.aggregate_type, aggregate_id = excluded.aggregate_id, status = excluded.status,
		    message_id = excluded.message_id, publish_count = workflow_message_correlation.publish_count + 1,
		    last_published_at = excluded.last_published_at
	)
	update inbox_event set status = 'PROCESSED', processed_at = clock_timestamp() where id = $8::uuid`

// commit records the correlation, marks the inbox row PROCESSED and commits.
func (t *inboxTx) commit(ctx context.Context, e domain.Event, msg Message, inboxID string) error {
	b := &pgx.Batch{}
	b.Queue(recordCorrelation, e.TenantID, msg.OrderID, msg.Name, msg.CorrelationKey, e.AggregateType, e.AggregateID, msg.MessageID, inboxID)
	b.Queue("commit")
	res := t.conn.SendBatch(ctx, b)
	_, err := res.Exec()
	if err == nil {
		_, err = res.Exec()
	}
	if closeErr := res.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("record correlation and commit: %w", err)
	}
	t.open = false
	return nil
}

// release rolls back what was not committed and returns the session; a session that cannot roll
// back is closed by the pool rather than reused mid-transaction.
func (t *inboxTx) release(ctx context.Context) {
	if t.conn == nil {
		return
	}
	if t.open {
		_, _ = t.conn.Exec(ctx, "rollback")
		t.open = false
	}
	t.conn.Release()
	t.conn = nil
}

package outbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/failpoint"
)

// FailpointAfterPublish is armed by crash tests: the batch is in Kafka but not yet marked.
const FailpointAfterPublish = "outbox-after-publish-before-mark"

// selectVisible reads unpublished rows in position order, but only rows whose transaction is older
// than the oldest transaction still running. A transaction that is still open may yet commit rows
// with lower positions; stopping at the snapshot's xmin means such rows are waited for, never
// skipped. The cost is that any long write transaction on the server delays the relay.
//
// The inner query touches only the partial index, and the snapshot is taken once (an init plan), so
// a plan that sorts the whole backlog stays cheap; envelopes are then fetched for the batch only,
// by tuple id (ctid), which skips a primary-key probe per row. The batch is put back in position
// order in Go: PostgreSQL would sort the wide rows, envelopes and all. $2 holds the rows of the
// previous batch whose mark is still in flight.
const selectVisible = `
	with next as materialized (
		select ctid, position from outbox_event
		where published_at is null
		  and transaction_id < (select pg_snapshot_xmin(pg_current_snapshot()))
		  and id <> all($2::uuid[])
		order by position
		limit $1
	)
	select e.id::text, e.ctid::text, next.position, e.tenant_id, e.event_type, e.aggregate_id, e.message_key,
	       coalesce(e.correlation_id, ''), coalesce(e.envelope->>'traceparent', ''), e.envelope::text, e.created_at
	from next join outbox_event e on e.ctid = next.ctid`

type row struct {
	ID            string
	TupleID       string // ctid as read, so the mark finds the row without an index probe
	Position      int64
	TenantID      string
	EventType     string
	AggregateID   string
	MessageKey    string
	CorrelationID string
	TraceParent   string
	Envelope      string
	CreatedAt     time.Time
}

// publishError marks a Kafka failure, which the relay retries without giving up the lock.
type publishError struct{ err error }

func (e *publishError) Error() string { return "publish to kafka: " + e.err.Error() }
func (e *publishError) Unwrap() error { return e.err }

// RelayOnce reads, publishes and marks one batch on a pooled session, for tests and tools. It does
// not take the publisher lock, so it must not run beside a leading relay.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	conn, err := r.db.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	batch, err := r.readBatch(ctx, conn.Conn(), nil)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	acked, pubErr := r.publish(ctx, batch)
	if err := r.mark(ctx, batch[:acked]).wait(); err != nil {
		return 0, err
	}
	return acked, pubErr
}

func (r *Relay) readBatch(ctx context.Context, conn *pgx.Conn, exclude []string) ([]row, error) {
	if exclude == nil {
		exclude = []string{}
	}
	rows, err := conn.Query(ctx, selectVisible, r.cfg.BatchSize, exclude)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	batch, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	slices.SortFunc(batch, func(a, b row) int { return cmp.Compare(a.Position, b.Position) })
	return batch, nil
}

// publish writes the batch and returns how many leading rows Kafka acknowledged. The write runs on
// a context that outlives ctx by PublishTimeout, so a shutdown lets the batch in flight finish.
func (r *Relay) publish(ctx context.Context, batch []row) (int, error) {
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.PublishTimeout)
	defer cancel()
	msgs := make([]kafka.Message, len(batch))
	for i, b := range batch {
		msgs[i] = r.message(b)
	}
	err := r.producer.WriteMessages(work, msgs...)
	acked := ackedPrefix(err, len(msgs))
	if acked > 0 {
		failpoint.Crash(FailpointAfterPublish)
	}
	if acked == len(msgs) {
		return acked, nil
	}
	r.m.errors.WithLabelValues("kafka").Inc()
	r.recordFailure(work, batch[acked], err)
	return acked, &publishError{err}
}

// ackedPrefix counts the leading messages Kafka acknowledged. Only a prefix is marked, so a later
// event of a key is never marked while an earlier one still waits to be sent.
func ackedPrefix(err error, n int) int {
	if err == nil {
		return n
	}
	var werr kafka.WriteErrors
	if !errors.As(err, &werr) || len(werr) != n {
		return 0
	}
	for i, e := range werr {
		if e != nil {
			return i
		}
	}
	return n
}

// recordFailure notes the failed attempt on the row that blocks the queue, so an operator can see
// why the lag grows; its own failure is only logged, the next round retries anyway.
func (r *Relay) recordFailure(ctx context.Context, head row, cause error) {
	msg := cause.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	_, err := r.db.Exec(ctx, `update outbox_event set publish_attempts = publish_attempts + 1, last_error = $2 where id = $1`, head.ID, msg)
	if err != nil {
		r.log.Warn("could not record the publish failure", zap.String("eventId", head.ID), zap.Error(err))
	}
}

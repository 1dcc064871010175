package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/failpoint"
	"github.com/orderfleet/orderfleet/internal/pollloop"
)

// FailpointAfterPublish is armed by crash tests: the batch is in Kafka but not yet recorded.
const FailpointAfterPublish = "outbox-after-publish-before-record"

// publishError marks a Kafka failure, which the relay retries without giving up the lock.
type publishError struct{ err error }

func (e *publishError) Error() string { return "publish to kafka: " + e.err.Error() }
func (e *publishError) Unwrap() error { return e.err }

// RelayOnce publishes and records one batch on a pooled session, for tests and tools. Transactions
// still open when it starts may hold rows back; it waits up to onceWait for them. It does not take
// the publisher lock, so it must not run beside a leading relay.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	conn, err := r.db.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	cursor, err := r.startSession(ctx, conn.Conn())
	defer endSession(conn.Conn())
	if err != nil {
		return 0, err
	}
	// Wait for the first sample, which covers every row committed before the call, to turn final.
	deadline := time.Now().Add(onceWait)
	var target int64
	for first := true; ; first = false {
		last, err := r.horizon.refresh(ctx, conn.Conn())
		if err != nil {
			return 0, err
		}
		if first {
			target = last
		}
		if r.horizon.final >= target || time.Now().After(deadline) {
			break
		}
		pollloop.Sleep(ctx, 10*time.Millisecond)
	}
	next, err := r.readBatch(ctx, conn.Conn(), cursor, r.horizon.final)
	if err != nil || next.len() == 0 {
		return 0, err
	}
	acked, pubErr := r.publish(ctx, next)
	if err := r.record(ctx, cursor, next.prefix(acked)).wait(); err != nil {
		return 0, err
	}
	return acked, pubErr
}

// onceWait bounds how long RelayOnce waits for transactions that were open when it started.
const onceWait = 500 * time.Millisecond

func publishedThrough(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var cursor int64
	if err := conn.QueryRow(ctx, `select outbox_published_through()`).Scan(&cursor); err != nil {
		return 0, fmt.Errorf("read the outbox cursor: %w", err)
	}
	return cursor, nil
}

// readBatch reads up to BatchSize rows with after < position <= upTo.
func (r *Relay) readBatch(ctx context.Context, conn *pgx.Conn, after, upTo int64) (*batch, error) {
	if upTo <= after {
		return &batch{}, nil
	}
	rows, err := conn.Query(ctx, selectRange, after, upTo, r.cfg.BatchSize)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return readRecords(rows, r.cfg.Key, min(r.cfg.BatchSize, int(upTo-after)))
}

// publish writes the batch and returns how many leading rows Kafka acknowledged. The write runs on
// a context that outlives ctx by PublishTimeout, so a shutdown lets the batch in flight finish.
func (r *Relay) publish(ctx context.Context, b *batch) (int, error) {
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.PublishTimeout)
	defer cancel()
	err := r.producer.WriteMessages(work, b.msgs...)
	acked := ackedPrefix(err, b.len())
	if acked > 0 {
		failpoint.Crash(FailpointAfterPublish)
	}
	if acked == b.len() {
		return acked, nil
	}
	r.m.errors.WithLabelValues("kafka").Inc()
	r.recordFailure(work, b.positions[acked], err)
	return acked, &publishError{err}
}

// ackedPrefix counts the leading messages Kafka acknowledged. Only a prefix is recorded, so the
// cursor never passes an event that still waits to be sent.
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
func (r *Relay) recordFailure(ctx context.Context, head int64, cause error) {
	msg := cause.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	_, err := r.db.Exec(ctx, `update outbox_event set publish_attempts = publish_attempts + 1, last_error = $2 where position = $1`, head, msg)
	if err != nil {
		r.log.Warn("could not record the publish failure", zap.Int64("position", head), zap.Error(err))
	}
}

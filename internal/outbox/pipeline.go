package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/pollloop"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// lead relays batches on the lock-holding session as a three-stage pipeline: while batch k is
// published, batch k+1 is read and batch k-1 is recorded. Publishes stay strictly sequential, which
// is what keeps the order in Kafka, and records too, so the cursor only moves forward over rows Kafka
// has. Kafka trouble backs off and keeps the lock; a database error ends leadership, because the lock
// may have gone with the session.
func (r *Relay) lead(ctx context.Context, conn *pgx.Conn) (err error) {
	cursor, err := r.startSession(ctx, conn)
	if err != nil {
		return err
	}
	var recording *recordJob
	var reading *readJob
	defer func() {
		if reading != nil {
			_, _, _ = reading.wait() // the session must be idle before it is closed
		}
		if recordErr := recording.wait(); err == nil {
			err = recordErr
		}
	}()
	readFrom := cursor
	failures := 0
	for ctx.Err() == nil {
		if reading == nil {
			reading = r.readAhead(ctx, conn, readFrom)
		}
		next, upTo, err := reading.wait()
		reading = nil
		if err != nil {
			if ctx.Err() != nil {
				return nil // shutting down: the read was cancelled, nothing failed
			}
			r.m.errors.WithLabelValues("database").Inc()
			return err
		}
		// A read short of a batch saw every row up to the horizon, and no row can appear there any
		// more: the next read starts at the horizon, so a stretch of positions without rows (rolled
		// back, deleted) is passed over instead of being read again.
		if next.len() < r.cfg.BatchSize {
			readFrom = max(readFrom, upTo)
		} else {
			readFrom = next.last()
		}
		if next.len() == 0 {
			if err := recording.wait(); err != nil {
				return err
			}
			recording = nil
			pollloop.Sleep(ctx, r.cfg.PollInterval)
			continue
		}
		reading = r.readAhead(ctx, conn, readFrom)
		acked, pubErr := r.publish(ctx, next)
		if err := recording.wait(); err != nil {
			return err
		}
		recording = r.record(ctx, cursor, next.prefix(acked))
		if acked > 0 {
			cursor = next.positions[acked-1]
		}
		if pubErr != nil {
			// The batch read ahead assumed this one went out whole: drop it and read again.
			_, _, _ = reading.wait()
			reading = nil
			readFrom = cursor
			failures++
			delay := zeebe.Backoff(failures, 100*time.Millisecond, r.cfg.MaxBackoff)
			r.log.Warn("kafka publish failed; retrying the same rows", zap.Duration("backoff", delay), zap.Error(pubErr))
			pollloop.Sleep(ctx, delay)
			continue
		}
		failures = 0
	}
	return nil
}

// readJob is a batch being read while the previous one is published.
type readJob struct {
	batch *batch
	upTo  int64 // the horizon the read went up to
	err   error
	done  chan struct{}
}

// readAhead reads the rows after position from. The horizon is sampled again only when fewer than
// a batch of final positions are left past from, so a backlog is read without extra round trips.
func (r *Relay) readAhead(ctx context.Context, conn *pgx.Conn, from int64) *readJob {
	j := &readJob{done: make(chan struct{})}
	go func() {
		defer close(j.done)
		if r.horizon.final-from < int64(r.cfg.BatchSize) {
			if _, j.err = r.horizon.refresh(ctx, conn); j.err != nil {
				return
			}
		}
		j.upTo = r.horizon.final
		j.batch, j.err = r.readBatch(ctx, conn, from, j.upTo)
	}()
	return j
}

func (j *readJob) wait() (*batch, int64, error) {
	<-j.done
	return j.batch, j.upTo, j.err
}

// A batch's record moves the cursor: outbox_published_through() is the highest last_position. In
// delete mode the same statement removes the batch's rows, and the publications of rows removed
// before, which nothing reads any more.
const (
	recordPublished = `insert into outbox_publication (first_position, last_position, event_count) values ($1, $2, $3) on conflict (last_position) do nothing`
	recordAndDelete = `with gone as (delete from outbox_event where position >= $1 and position <= $2),
		pruned as (delete from outbox_publication where last_position < $1) ` + recordPublished
)

// recordJob is a batch's record written beside the next batch's read and publish.
type recordJob struct {
	done chan error
}

// record writes the publication of acknowledged rows that follow position after, in the background
// on a pooled session. Losing a record (crash, failed insert) only means those rows are published
// again.
func (r *Relay) record(ctx context.Context, after int64, done *batch) *recordJob {
	if done.len() == 0 {
		return nil
	}
	job := &recordJob{done: make(chan error, 1)}
	go func() {
		work, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.PublishTimeout)
		defer cancel()
		sql := recordPublished
		if r.cfg.DeletePublished {
			sql = recordAndDelete
		}
		if _, err := r.db.Exec(work, sql, after+1, done.last(), done.len()); err != nil {
			r.m.errors.WithLabelValues("database").Inc()
			job.done <- fmt.Errorf("record %d outbox rows published: %w", done.len(), err)
			return
		}
		now := time.Now()
		for _, at := range done.created {
			r.m.delay.Observe(now.Sub(at).Seconds())
		}
		r.m.published.Add(float64(done.len()))
		job.done <- nil
	}()
	return job
}

// wait returns the record's result; a nil job has nothing to wait for.
func (j *recordJob) wait() error {
	if j == nil {
		return nil
	}
	err := <-j.done
	j.done <- err // later waits see the same result
	return err
}

package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// lead relays batches on the lock-holding session as a three-stage pipeline: while batch k is
// published, batch k+1 is read and batch k-1 is marked. Publishes stay strictly sequential, which is
// what keeps the order in Kafka. Kafka trouble backs off and keeps the lock; a database error ends
// leadership, because the lock may have gone with the session.
func (r *Relay) lead(ctx context.Context, conn *pgx.Conn) (err error) {
	var marking *markJob
	var reading *readJob
	defer func() {
		if reading != nil {
			_, _ = reading.wait() // the session must be idle before it is closed
		}
		if markErr := marking.wait(); err == nil {
			err = markErr
		}
	}()
	failures := 0
	for ctx.Err() == nil {
		if reading == nil {
			reading = r.readAhead(ctx, conn, marking.pendingIDs())
		}
		batch, err := reading.wait()
		reading = nil
		if err != nil {
			if ctx.Err() != nil {
				return nil // shutting down: the read was cancelled, nothing failed
			}
			r.m.errors.WithLabelValues("database").Inc()
			return err
		}
		if len(batch) == 0 {
			if err := marking.wait(); err != nil {
				return err
			}
			marking = nil
			sleep(ctx, r.cfg.PollInterval)
			continue
		}
		// The next read skips this batch and the one still being marked.
		reading = r.readAhead(ctx, conn, append(ids(batch), marking.pendingIDs()...))
		acked, pubErr := r.publish(ctx, batch)
		if err := marking.wait(); err != nil {
			return err
		}
		marking = r.mark(ctx, batch[:acked])
		if pubErr != nil {
			// The batch read ahead assumed this one went out whole: drop it and read again.
			_, _ = reading.wait()
			reading = nil
			failures++
			delay := zeebe.Backoff(failures, 100*time.Millisecond, r.cfg.MaxBackoff)
			r.log.Warn("kafka publish failed; retrying the same rows", zap.Duration("backoff", delay), zap.Error(pubErr))
			sleep(ctx, delay)
			continue
		}
		failures = 0
	}
	return nil
}

// readJob is a batch being read while the previous one is published.
type readJob struct {
	batch []row
	err   error
	done  chan struct{}
}

func (r *Relay) readAhead(ctx context.Context, conn *pgx.Conn, exclude []string) *readJob {
	j := &readJob{done: make(chan struct{})}
	go func() {
		defer close(j.done)
		j.batch, j.err = r.readBatch(ctx, conn, exclude)
	}()
	return j
}

func (j *readJob) wait() ([]row, error) {
	<-j.done
	return j.batch, j.err
}

func ids(rows []row) []string {
	out := make([]string, len(rows))
	for i, b := range rows {
		out[i] = b.ID
	}
	return out
}

const (
	markPublished   = `update outbox_event set published_at = now() where ctid = any($1::tid[]) and id = any($2::uuid[])`
	deletePublished = `delete from outbox_event where ctid = any($1::tid[]) and id = any($2::uuid[])`
)

// markJob is a mark running beside the next batch's read and publish.
type markJob struct {
	ids  []string
	done chan error
}

// mark sets published_at on (or deletes) acknowledged rows, in the background on a pooled session.
// Losing a mark (crash, failed update) only means those rows are published again.
func (r *Relay) mark(ctx context.Context, rows []row) *markJob {
	if len(rows) == 0 {
		return nil
	}
	job := &markJob{ids: make([]string, len(rows)), done: make(chan error, 1)}
	tids := make([]string, len(rows))
	for i, b := range rows {
		job.ids[i] = b.ID
		tids[i] = b.TupleID
	}
	go func() {
		work, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.PublishTimeout)
		defer cancel()
		// Rows are found by the ctid they were read at; the id check makes a stale ctid (the row was
		// updated since) match nothing, so at worst that row is published again, never a wrong one marked.
		sql := markPublished
		if r.cfg.DeletePublished {
			sql = deletePublished
		}
		if _, err := r.db.Exec(work, sql, tids, job.ids); err != nil {
			r.m.errors.WithLabelValues("database").Inc()
			job.done <- fmt.Errorf("mark %d outbox rows published: %w", len(job.ids), err)
			return
		}
		now := time.Now()
		for _, b := range rows {
			r.m.delay.Observe(now.Sub(b.CreatedAt).Seconds())
		}
		r.m.published.Add(float64(len(rows)))
		job.done <- nil
	}()
	return job
}

// wait returns the mark's result; a nil job has nothing to wait for.
func (j *markJob) wait() error {
	if j == nil {
		return nil
	}
	err := <-j.done
	j.done <- err // later waits see the same result
	return err
}

func (j *markJob) pendingIDs() []string {
	if j == nil {
		return nil
	}
	return j.ids
}

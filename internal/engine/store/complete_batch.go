package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// completeBatcher is group commit for CompleteJob, the engine's hottest command. Completions
// queue here; up to completeExecutors goroutines each take everything queued (at most
// completeBatchMax) and run it as one transaction: one round trip locks every job's instance and
// job row, the runtime runs each completion in memory, one round trip writes them all and
// commits. Nothing waits to form a batch: a lone completion runs alone at once, and batches
// grow only while the executors are busy.
//
// A batch never waits for a lock (SKIP LOCKED), so batches cannot deadlock with each other or
// with single commands. A completion whose rows were locked, that shares its instance with an
// earlier one in the batch, or that meets an unexpected error runs alone afterwards (its own
// transaction, waiting for locks as usual); if the batch's writes fail, nothing was committed and
// every completion in it runs alone. Every completion is answered only after the COMMIT that
// holds its writes.
type completeBatcher struct {
	mu      sync.Mutex
	queue   []*completeRequest
	running int
}

const (
	completeExecutors = 4
	completeBatchMax  = 64
)

type completeRequest struct {
	ctx   context.Context
	key   int64
	vars  runtime.Vars
	start time.Time
	done  chan error
}

func (b *completeBatcher) submit(s *Store, ctx context.Context, key int64, vars runtime.Vars) error {
	r := &completeRequest{ctx: ctx, key: key, vars: vars, start: time.Now(), done: make(chan error, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, r)
	startExecutor := b.running < completeExecutors
	if startExecutor {
		b.running++
	}
	b.mu.Unlock()
	if startExecutor {
		go b.drain(s)
	}
	return <-r.done
}

// drain runs queued completions until the queue is empty.
func (b *completeBatcher) drain(s *Store) {
	for {
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		n := min(len(b.queue), completeBatchMax)
		batch := make([]*completeRequest, n)
		copy(batch, b.queue)
		b.queue = append(b.queue[:0], b.queue[n:]...)
		b.mu.Unlock()
		if len(batch) == 1 {
			r := batch[0]
			r.done <- s.completeJobAlone(r.ctx, r.key, r.vars)
			continue
		}
		s.runCompleteBatch(batch)
	}
}

// completeAlone runs completions each in its own transaction, concurrently, answering each.
func (s *Store) completeAlone(reqs []*completeRequest) {
	for _, r := range reqs {
		go func() { r.done <- s.completeJobAlone(r.ctx, r.key, r.vars) }()
	}
}

const lockJobInstanceSkipSQL = `SELECT doc FROM process_instance WHERE key = (SELECT process_instance_key FROM job WHERE key = $1) FOR UPDATE SKIP LOCKED`

const selectJobSkipSQL = `SELECT state, type, retries, custom_headers, process_instance_key, element_instance_key,
	element_id, bpmn_process_id, version, definition_key FROM job WHERE key = $1 FOR UPDATE SKIP LOCKED`

// batchedComplete is one completion inside a batch.
type batchedComplete struct {
	req      *completeRequest
	answered bool
	doc      []byte
	lj       lockedJob
	cmd      *command
}

// runCompleteBatch runs completions in one transaction; see completeBatcher.
func (s *Store) runCompleteBatch(reqs []*completeRequest) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		s.completeAlone(reqs)
		return
	}
	released := false
	release := func(rollback bool) {
		if released {
			return
		}
		released = true
		if rollback {
			if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
				_ = conn.Conn().Close(ctx)
			}
		}
		conn.Release()
	}
	defer release(true)

	// Round trip 1: BEGIN, then each completion's instance and job row, skipping locked rows.
	items := make([]*batchedComplete, len(reqs))
	lock := &pgx.Batch{}
	lock.Queue("BEGIN")
	for i, r := range reqs {
		it := &batchedComplete{req: r}
		items[i] = it
		lock.Queue(lockJobInstanceSkipSQL, r.key).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&it.doc); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			return nil
		})
		lock.Queue(selectJobSkipSQL, r.key).QueryRow(func(row pgx.Row) error {
			j := &it.lj.job
			j.Key = r.key
			err := row.Scan(&it.lj.state, &j.Type, &j.Retries, &j.CustomHeaders, &j.ProcessInstanceKey, &j.ElementInstanceKey,
				&j.ElementID, &j.BPMNProcessID, &j.ProcessVersion, &j.DefinitionKey)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			it.lj.found = err == nil
			return err
		})
	}
	if err := conn.SendBatch(ctx, lock).Close(); err != nil {
		release(true)
		s.completeAlone(reqs)
		return
	}

	// The runtime runs each completion; reads it asks for go over the batch's connection.
	var alone, ok []*batchedComplete
	instances := map[int64]bool{}
	writes := &pgx.Batch{}
	now := s.clock.Now()
	for _, it := range items {
		if it.doc == nil || !it.lj.found {
			alone = append(alone, it) // locked by someone else, or missing: the lone path tells which
			continue
		}
		if err := it.lj.check("complete"); err != nil {
			it.req.done <- err // read under the row lock: the job is gone or failed
			it.answered = true
			continue
		}
		in := &runtime.Instance{}
		if err := json.Unmarshal(it.doc, in); err != nil || instances[in.Key] {
			alone = append(alone, it)
			continue
		}
		instances[in.Key] = true
		c := &command{s: s, ctx: ctx, conn: conn, name: "complete_job", now: now, begun: true, jobTypes: map[string]bool{}}
		c.addInstance(in, false)
		c.queue(`UPDATE job SET state = 'COMPLETED' WHERE key = $1`, it.req.key)
		c.jobRecord(it.lj.job, "COMPLETED", nil)
		err := in.CompleteJob(c, it.lj.job, it.req.vars)
		if c.err != nil {
			// A read on the shared connection failed: the transaction is unusable.
			release(true)
			s.completeAlone(unanswered(items))
			return
		}
		if err == nil {
			err = c.queueFinalWrites()
		}
		if err != nil {
			alone = append(alone, it) // the lone path reproduces the error, or succeeds
			continue
		}
		it.cmd = c
		ok = append(ok, it)
		writes.QueuedQueries = append(writes.QueuedQueries, c.writes.QueuedQueries...)
	}

	// Round trip 2: every completion's writes, then COMMIT.
	writes.Queue("COMMIT")
	err = conn.SendBatch(ctx, writes).Close()
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		release(false)
		for _, it := range ok {
			it.cmd.done = true
			it.cmd.afterCommitted()
			s.metrics.JobsCompleted.WithLabelValues(it.lj.job.Type).Inc()
			s.metrics.CommandLatency.WithLabelValues("complete_job").Observe(time.Since(it.req.start).Seconds())
			it.req.done <- nil
		}
	case errors.As(err, &pgErr):
		// The server refused a write, so nothing was committed: each completion runs alone.
		release(true)
		alone = append(alone, ok...)
	default:
		// The connection failed around the COMMIT: whether it committed is unknown.
		_ = conn.Conn().Close(ctx)
		release(false)
		for _, it := range ok {
			it.req.done <- fmt.Errorf("commit of a batch of job completions: %w", err)
		}
	}
	for _, it := range alone {
		r := it.req
		go func() { r.done <- s.completeJobAlone(r.ctx, r.key, r.vars) }()
	}
}

// unanswered lists the requests of a batch that have no answer yet.
func unanswered(items []*batchedComplete) []*completeRequest {
	var out []*completeRequest
	for _, it := range items {
		if !it.answered {
			out = append(out, it.req)
		}
	}
	return out
}

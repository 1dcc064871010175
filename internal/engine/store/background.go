package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// leaderLockID is the session advisory lock the leader holds on its dedicated connection.
const leaderLockID = 7_220_415_003

// IsLeader reports whether this process currently holds leadership.
func (s *Store) IsLeader() bool { return s.leading.Load() }

// RunBackground runs until ctx ends: the notification listener and clock refresh on every
// engine, and the leader's work once this process wins leadership (a standby retries every
// second and takes over when the leader's session ends).
func (s *Store) RunBackground(ctx context.Context) {
	s.bgWG.Add(3)
	go func() { defer s.bgWG.Done(); s.listen(ctx) }()
	go func() { defer s.bgWG.Done(); s.runNotifier(ctx) }()
	go func() { defer s.bgWG.Done(); s.leadLoop(ctx) }()
	<-ctx.Done()
	s.bgWG.Wait()
}

// listen wakes parked activations on jobs another process created and re-reads the clock when
// another process changed it; it also re-reads the clock every second as a safety net.
func (s *Store) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("notification listener lost its connection; reconnecting", zap.Error(err))
		sleep(ctx, time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, ch := range []string{"engine_jobs", "engine_clock"} {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return err
		}
	}
	// The re-read runs at once (a change made while this listener was away sent its notification
	// to no one) and then every second, however busy the job channel keeps the wait.
	var lastRefresh time.Time
	for {
		if time.Since(lastRefresh) >= time.Second {
			lastRefresh = time.Now()
			if changed, rerr := s.clock.Refresh(ctx); rerr == nil && changed {
				s.wakeLeader()
			}
		}
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil && n.Channel == "engine_jobs":
			if !s.notifier.isEcho(n.PID) {
				s.jobSignals.signal(n.Payload)
			}
		case err == nil && n.Channel == "engine_clock":
			lastRefresh = time.Time{}
		case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		case err != nil:
			return err
		}
	}
}

func (s *Store) leadLoop(ctx context.Context) {
	for ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
		if err != nil {
			sleep(ctx, time.Second)
			continue
		}
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(leaderLockID)).Scan(&got); err != nil || !got {
			conn.Close(context.Background())
			sleep(ctx, time.Second)
			continue
		}
		s.log.Info("this engine leads: it fires timers, expires jobs and messages, sweeps pending commands")
		s.leading.Store(true)
		err = s.lead(ctx, conn)
		s.leading.Store(false)
		conn.Close(context.Background()) // ends the session: the lock goes with it
		if ctx.Err() == nil {
			s.log.Warn("leadership lost", zap.Error(err))
			sleep(ctx, time.Second)
		}
	}
}

// lead does the leader's rounds until ctx ends or the leader connection fails.
func (s *Store) lead(ctx context.Context, conn *pgx.Conn) error {
	lastSweep := time.Time{}
	for {
		if _, err := conn.Exec(ctx, `SELECT 1`); err != nil {
			return err
		}
		next, err := s.leaderRound(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("leader round failed", zap.Error(err))
		}
		if time.Since(lastSweep) > 2*time.Second {
			lastSweep = time.Now()
			if err := s.sweepPending(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("pending sweep failed", zap.Error(err))
			}
			if err := s.expireMessages(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("message expiry failed", zap.Error(err))
			}
		}
		wait := 500 * time.Millisecond
		if next > 0 && next < wait {
			wait = next
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-s.leaderWake:
		case <-t.C:
		}
		t.Stop()
	}
}

// leaderRound fires due timers, expires job leases and wakes backed-off jobs; it returns how
// long until the next timer is due (0 when unknown).
func (s *Store) leaderRound(ctx context.Context) (time.Duration, error) {
	if err := s.expireJobs(ctx); err != nil {
		return 0, err
	}
	if err := s.wakeBackedOffJobs(ctx); err != nil {
		return 0, err
	}
	return s.fireTimers(ctx)
}

func (s *Store) expireJobs(ctx context.Context) error {
	now := s.clock.Now()
	rows, err := s.pool.Query(ctx, `WITH due AS (
			SELECT key FROM job WHERE state = 'ACTIVATED' AND deadline <= $1 ORDER BY deadline LIMIT 500 FOR UPDATE SKIP LOCKED
		), expired AS (
			UPDATE job j SET state = 'ACTIVATABLE', worker = '', deadline = NULL FROM due WHERE j.key = due.key
			RETURNING j.key, j.type, j.process_instance_key, j.element_instance_key, j.element_id
		), recorded AS (
			INSERT INTO journal (process_instance_key, key, value_type, intent, element_id, element_type, flow_scope_key, at)
			SELECT process_instance_key, key, 'JOB', 'TIMED_OUT', element_id, '', element_instance_key, $1 FROM expired
		)
		SELECT type FROM expired`, now)
	if err != nil {
		return err
	}
	types, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	s.notifyJobTypes(ctx, types, s.metrics.JobsTimedOut)
	return nil
}

func (s *Store) wakeBackedOffJobs(ctx context.Context) error {
	rows, err := s.pool.Query(ctx, `UPDATE job SET retry_at = NULL WHERE key IN (
			SELECT key FROM job WHERE state = 'ACTIVATABLE' AND retry_at <= $1 LIMIT 500 FOR UPDATE SKIP LOCKED)
		RETURNING type`, s.clock.Now())
	if err != nil {
		return err
	}
	types, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	s.notifyJobTypes(ctx, types, nil)
	return nil
}

// notifyJobTypes wakes parked activations here and in other engine processes.
func (s *Store) notifyJobTypes(ctx context.Context, types []string, count *prometheus.CounterVec) {
	seen := map[string]bool{}
	for _, t := range types {
		if count != nil {
			count.WithLabelValues(t).Inc()
		}
		if seen[t] {
			continue
		}
		seen[t] = true
		s.jobSignals.signal(t)
		s.notifier.add(t)
	}
}

func (s *Store) expireMessages(ctx context.Context) error {
	var n int64
	err := s.pool.QueryRow(ctx, `WITH gone AS (
			DELETE FROM message WHERE key IN (SELECT key FROM message WHERE expires_at <= $1 LIMIT 1000) RETURNING key
		), unlinked AS (
			DELETE FROM message_correlation WHERE message_key IN (SELECT key FROM gone)
		)
		SELECT count(*) FROM gone`, s.clock.Now()).Scan(&n)
	if err == nil && n > 0 {
		s.metrics.MessagesExpired.Add(float64(n))
	}
	return err
}

// fireTimers fires every due timer, each in its own command.
func (s *Store) fireTimers(ctx context.Context) (time.Duration, error) {
	for {
		now := s.clock.Now()
		rows, err := s.pool.Query(ctx, `SELECT key, process_instance_key, element_instance_key, element_id, definition_key,
			due_at, repetitions, interval FROM timer WHERE due_at <= $1 ORDER BY due_at, key LIMIT 100`, now)
		if err != nil {
			return 0, err
		}
		var due []runtime.Timer
		for rows.Next() {
			var t runtime.Timer
			if err := rows.Scan(&t.Key, &t.ProcessInstanceKey, &t.ElementInstanceKey, &t.ElementID, &t.DefinitionKey,
				&t.DueAt, &t.Repetitions, &t.Interval); err != nil {
				rows.Close()
				return 0, err
			}
			due = append(due, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		for _, t := range due {
			if err := s.fireTimer(ctx, t); err != nil {
				s.log.Warn("timer failed to fire", zap.Int64("timerKey", t.Key), zap.Error(err))
				if CodeOf(err) != CodeInternal {
					_, _ = s.pool.Exec(ctx, `DELETE FROM timer WHERE key = $1`, t.Key)
				}
			}
		}
		if len(due) < 100 {
			break
		}
	}
	var next *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT min(due_at) FROM timer`).Scan(&next); err != nil || next == nil {
		return 0, err
	}
	d := next.Sub(s.clock.Now())
	if d < time.Millisecond {
		d = time.Millisecond
	}
	return d, nil
}

// rescheduleOrDelete keeps a start timer's cycle for its next firing, or deletes a timer that
// fired for the last time.
func (c *command) rescheduleOrDelete(t runtime.Timer) {
	if t.Repetitions == 0 || t.Interval == "" {
		c.queue(`DELETE FROM timer WHERE key = $1`, t.Key)
		return
	}
	next, err := runtime.NextTimerDue(t.Interval, t.DueAt)
	if err != nil {
		c.queue(`DELETE FROM timer WHERE key = $1`, t.Key)
		return
	}
	if !next.After(c.now) {
		// A late firing (the engine was down, the clock jumped) fires once, then keeps the rhythm from now.
		next, _ = runtime.NextTimerDue(t.Interval, c.now)
	}
	reps := t.Repetitions - 1
	if t.Repetitions < 0 {
		reps = -1
	}
	c.queue(`UPDATE timer SET due_at = $2, repetitions = $3 WHERE key = $1`, t.Key, next, reps)
	c.timerWake = true
}

func (s *Store) fireTimer(ctx context.Context, t runtime.Timer) error {
	var found bool
	lockTimer := func(b *pgx.Batch) {
		queueLockRow(b, &found, `SELECT 1 FROM timer WHERE key = $1 AND due_at = $2 FOR UPDATE`, t.Key, t.DueAt)
	}
	if t.ProcessInstanceKey == 0 {
		return s.newInstanceCommand(ctx, "fire_start_timer", func(c *command) error {
			b := &pgx.Batch{}
			lockTimer(b)
			if err := c.send(b); err != nil {
				return err
			}
			if !found {
				return nil
			}
			c.rescheduleOrDelete(t)
			def, err := c.Definition(t.DefinitionKey)
			if err != nil {
				return err
			}
			in, err := runtime.Start(c, def, runtime.StartRequest{Key: c.NewKey(), StartElementIDs: []string{t.ElementID}})
			if err != nil {
				return err
			}
			c.addInstance(in, true)
			return nil
		})
	}
	err := s.instanceCommand(ctx, "fire_timer", lockInstanceSQL, t.ProcessInstanceKey, lockTimer, func(c *command, in *runtime.Instance) error {
		// An instance's cycle is the runtime's to re-arm (with a new key); the fired row goes.
		return c.consumeRow(found, in, `DELETE FROM timer WHERE key = $1`, t.Key, func() error { return in.TriggerTimer(c, t) })
	})
	if errors.Is(err, errInstanceMissing) {
		_, err = s.pool.Exec(ctx, `DELETE FROM timer WHERE key = $1`, t.Key)
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

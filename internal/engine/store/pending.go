package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// startPending runs a pending command right after the commit that queued it. If this process
// dies first, the leader's sweep runs it.
func (s *Store) startPending(p *pendingCommand) {
	if p.ID == 0 {
		return
	}
	s.pendingWG.Add(1)
	go func() {
		defer s.pendingWG.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.runPending(ctx, p); err != nil {
			s.log.Warn("pending command failed; the leader's sweep retries it", zap.Int64("id", p.ID),
				zap.String("kind", p.Kind), zap.Int64("processInstanceKey", p.InstanceKey), zap.Error(err))
		}
	}()
}

// runPending runs one pending command in its target instance's transaction and deletes it there,
// so it runs at most once. A command the runtime rejects is dropped (logged): retrying it would
// fail the same way.
func (s *Store) runPending(ctx context.Context, p *pendingCommand) error {
	var found bool
	err := s.instanceCommand(ctx, "pending_"+p.Kind, lockInstanceSQL, p.InstanceKey, func(b *pgx.Batch) {
		queueLockRow(b, &found, `SELECT 1 FROM pending_command WHERE id = $1 FOR UPDATE`, p.ID)
	}, func(c *command, in *runtime.Instance) error {
		if found && p.Kind == pendingCorrelate && in.State != runtime.InstanceActive {
			// The instance ended before it received the message: it was never correlated here.
			var cp correlatePayload
			if err := json.Unmarshal(p.Payload, &cp); err != nil {
				return err
			}
			if err := c.releaseCorrelation(in.Key, cp); err != nil {
				return err
			}
		}
		return c.consumeRow(found, in, `DELETE FROM pending_command WHERE id = $1`, p.ID, func() error { return c.applyPending(in, p) })
	})
	if err == nil {
		return nil
	}
	if errors.Is(err, errInstanceMissing) || CodeOf(err) != CodeInternal {
		if !errors.Is(err, errInstanceMissing) {
			s.log.Warn("pending command rejected; dropped", zap.Int64("id", p.ID), zap.String("kind", p.Kind),
				zap.Int64("processInstanceKey", p.InstanceKey), zap.Error(err))
		}
		_, derr := s.pool.Exec(ctx, `DELETE FROM pending_command WHERE id = $1`, p.ID)
		return derr
	}
	return err
}

func (c *command) applyPending(in *runtime.Instance, p *pendingCommand) error {
	switch p.Kind {
	case pendingCorrelate:
		var cp correlatePayload
		if err := json.Unmarshal(p.Payload, &cp); err != nil {
			return err
		}
		err := in.CorrelateMessage(c, cp.Subscription, cp.Message)
		if errors.Is(err, runtime.ErrElementNotFound) {
			// The waiting element is gone: the buffered message may go to another instance.
			return c.releaseCorrelation(in.Key, cp)
		}
		return err
	case pendingTerminate:
		return in.Cancel(c)
	case pendingChildEnded:
		var n runtime.ParentNotice
		if err := json.Unmarshal(p.Payload, &n); err != nil {
			return err
		}
		return in.ChildEnded(c, n)
	case pendingSignal:
		var sp signalPayload
		if err := json.Unmarshal(p.Payload, &sp); err != nil {
			return err
		}
		err := in.TriggerSignal(c, sp.Subscription, sp.Variables)
		if errors.Is(err, runtime.ErrElementNotFound) {
			return nil
		}
		return err
	}
	return invalid("unknown pending command kind %q", p.Kind)
}

// releaseCorrelation undoes a publish's hand-over of a message the instance never received, and
// offers a still-buffered message to the next open subscription of the same process, as Zeebe
// tries the next subscription. Lock order as when a subscription opens: instance, then the
// message's advisory lock.
func (c *command) releaseCorrelation(instanceKey int64, cp correlatePayload) error {
	c.queue(`DELETE FROM message_correlation WHERE message_key = $1 AND bpmn_process_id = $2 AND process_instance_key = $3`,
		cp.Message.Key, cp.Subscription.BPMNProcessID, instanceKey)
	c.queue(`DELETE FROM message_subscription WHERE key = $1 AND state = 'CORRELATING'`, cp.Subscription.Key)
	var (
		buffered bool
		next     *runtime.MessageSubscription
	)
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, cp.Message.Name, cp.Message.CorrelationKey)
	b.Queue(`SELECT EXISTS (SELECT 1 FROM message WHERE key = $1 AND expires_at > $2)`, cp.Message.Key, c.now).
		QueryRow(func(row pgx.Row) error { return row.Scan(&buffered) })
	b.Queue(`SELECT key, process_instance_key, element_instance_key, element_id, interrupting FROM message_subscription
		WHERE message_name = $1 AND correlation_key = $2 AND bpmn_process_id = $3 AND state = 'OPEN' AND key <> $4
		ORDER BY key LIMIT 1`, cp.Message.Name, cp.Message.CorrelationKey, cp.Subscription.BPMNProcessID, cp.Subscription.Key).
		QueryRow(func(row pgx.Row) error {
			sub := runtime.MessageSubscription{MessageName: cp.Message.Name, CorrelationKey: cp.Message.CorrelationKey,
				BPMNProcessID: cp.Subscription.BPMNProcessID}
			err := row.Scan(&sub.Key, &sub.ProcessInstanceKey, &sub.ElementInstanceKey, &sub.ElementID, &sub.Interrupting)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			next = &sub
			return err
		})
	if err := c.send(b); err != nil {
		return err
	}
	if !buffered || next == nil {
		return nil
	}
	c.queue(`INSERT INTO message_correlation (message_key, bpmn_process_id, process_instance_key) VALUES ($1, $2, $3)`,
		cp.Message.Key, next.BPMNProcessID, next.ProcessInstanceKey)
	if next.Interrupting {
		c.queue(`UPDATE message_subscription SET state = 'CORRELATING' WHERE key = $1`, next.Key)
	}
	c.addPending(next.ProcessInstanceKey, pendingCorrelate, correlatePayload{Subscription: *next, Message: cp.Message})
	return nil
}

// sweepPending runs pending commands older than a few seconds: their process died before it
// ran them, or they failed and are retried.
func (s *Store) sweepPending(ctx context.Context) error {
	rows, err := s.pool.Query(ctx, `SELECT id, process_instance_key, kind, payload FROM pending_command
		WHERE created_at < now() - interval '3 seconds' ORDER BY id LIMIT 200`)
	if err != nil {
		return err
	}
	var list []*pendingCommand
	for rows.Next() {
		p := &pendingCommand{}
		if err := rows.Scan(&p.ID, &p.InstanceKey, &p.Kind, &p.Payload); err != nil {
			rows.Close()
			return err
		}
		list = append(list, p)
	}
	rows.Close()
	for _, p := range list {
		if err := s.runPending(ctx, p); err != nil {
			s.log.Warn("swept pending command failed", zap.Int64("id", p.ID), zap.Error(err))
		}
	}
	return rows.Err()
}

// queueLockRow queues a locking "SELECT 1 ... FOR UPDATE" of one row; *found says whether the
// row was there (another process may have consumed it first).
func queueLockRow(b *pgx.Batch, found *bool, sql string, args ...any) {
	b.Queue(sql, args...).QueryRow(func(row pgx.Row) error {
		var one int
		err := row.Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		*found = err == nil
		return err
	})
}

// consumeRow runs apply once for a row that orders work on an instance (a due timer, a pending
// command): skipped when the row is gone, the row deleted in the same transaction, and apply
// only while the instance is active.
func (c *command) consumeRow(found bool, in *runtime.Instance, deleteSQL string, key int64, apply func() error) error {
	if !found {
		return errSkip
	}
	c.queue(deleteSQL, key)
	if in.State != runtime.InstanceActive {
		return nil
	}
	return apply()
}

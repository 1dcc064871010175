package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
)

// jobNotifier tells other engine processes which job types have new activatable jobs. A NOTIFY
// inside a command would serialize every command's COMMIT on PostgreSQL's database-wide notify
// lock (held through the WAL flush, so commits stop sharing flushes); instead committed commands
// hand their types here and one goroutine sends them, many types per statement, outside them.
// Parked activations in this process are woken directly; other processes also re-query each
// second, so a delayed or lost NOTIFY only costs latency.
type jobNotifier struct {
	mu      sync.Mutex
	pending map[string]bool
	kick    chan struct{}
	pid     atomic.Uint32 // backend of the notifying connection: the listener ignores its echoes
}

func (n *jobNotifier) init() {
	n.pending = map[string]bool{}
	n.kick = make(chan struct{}, 1)
}

func (n *jobNotifier) add(jobType string) {
	n.mu.Lock()
	n.pending[jobType] = true
	n.mu.Unlock()
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

func (n *jobNotifier) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.pending) == 0 {
		return nil
	}
	types := make([]string, 0, len(n.pending))
	for t := range n.pending {
		types = append(types, t)
	}
	clear(n.pending)
	return types
}

// isEcho reports whether a notification came from this process's own notifier.
func (n *jobNotifier) isEcho(pid uint32) bool { return pid != 0 && pid == n.pid.Load() }

// runNotifier sends pending job types until ctx ends, on its own connection.
func (s *Store) runNotifier(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.notifyOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("job notifier lost its connection; reconnecting", zap.Error(err))
		sleep(ctx, time.Second)
	}
}

func (s *Store) notifyOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	s.notifier.pid.Store(conn.PgConn().PID())
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.notifier.kick:
		}
		types := s.notifier.take()
		if len(types) == 0 {
			continue
		}
		if _, err := conn.Exec(ctx, `SELECT pg_notify('engine_jobs', t) FROM unnest($1::text[]) AS t`, types); err != nil {
			return err
		}
	}
}

// Package pollloop runs the fleet's database-polling relays (start requests, parked user tasks):
// one batch at a time, a pause when a batch found nothing, and capped backoff when one failed.
package pollloop

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// Batch handles what is due and reports how many items it handled.
type Batch func(ctx context.Context) (int, error)

// Run calls batch until ctx ends. A failing batch (database or engine down) is retried after a
// backoff that doubles up to maxBackoff, so nothing due is dropped; an empty one waits idle.
func Run(ctx context.Context, log *zap.Logger, what string, idle, maxBackoff time.Duration, batch Batch) error {
	failures := 0
	for ctx.Err() == nil {
		n, err := batch(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			failures++
			delay := zeebe.Backoff(failures, 250*time.Millisecond, maxBackoff)
			log.Warn(what+" failed; backing off", zap.Duration("backoff", delay), zap.Error(err))
			Sleep(ctx, delay)
		case n == 0:
			failures = 0
			Sleep(ctx, idle)
		default:
			failures = 0
		}
	}
	return nil
}

// Sleep waits for d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

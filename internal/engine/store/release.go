package store

import (
	"context"
	"time"
)

// ReleaseJobs hands activated jobs back when their activation never reached the worker (the
// stream broke after the jobs were leased), so they need not wait for their deadline. Only jobs
// still leased to that worker and deadline are touched: a job taken over since is left alone.
func (s *Store) ReleaseJobs(ctx context.Context, jobType string, keys []int64, worker string, deadline time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	tag, err := s.pool.Exec(ctx, `UPDATE job SET state = 'ACTIVATABLE', worker = '', deadline = NULL
		WHERE key = ANY($1) AND state = 'ACTIVATED' AND worker = $2 AND date_trunc('milliseconds', deadline) = $3`, keys, worker, deadline)
	if err == nil && tag.RowsAffected() > 0 {
		s.notifyJobTypes(ctx, []string{jobType}, nil)
	}
	return err
}

package outbox

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/pollloop"
)

// Retention (mark mode): published rows older than Config.Retain are deleted by the publishing
// replica, a chunk per statement so no statement holds many row locks or runs long, and so are the
// publications that cover only deleted rows. Unpublished rows are never touched, however old, and
// the publication holding the cursor always stays.
//
// A chunk is the oldest rows by position, of which those past the retention go: positions follow
// insert time closely, so the scan stops at the first chunk of fresh rows instead of reading every
// row kept. A row whose transaction started long before its neighbours' goes a round later.

// pruneChunk is a variable so tests can walk several chunks with a few rows.
var pruneChunk = 5000

// prunePause spaces the chunks of one round, so a large first prune does not flood the WAL.
const prunePause = 50 * time.Millisecond

// Each chunk starts after the last position the previous one read, so the rows deleted before
// are not walked again (their index entries may not be reclaimable yet).
const (
	prunePublished = `
		with oldest as (
			select position, created_at from outbox_event
			where position > $3 and position <= (select outbox_published_through())
			order by position limit $2),
		gone as (
			delete from outbox_event e using oldest o
			where e.position = o.position and o.created_at < now() - make_interval(secs => $1)
			returning 1)
		select (select count(*) from gone), coalesce((select max(position) from oldest), $3)`
	prunePublications = `
		with cursor as (select outbox_published_through() as through)
		delete from outbox_publication p using cursor c
		where p.last_position < c.through
		  and p.last_position < coalesce((select min(position) from outbox_event), c.through)`
)

// retaining says whether published rows are pruned at all; Validate refuses a retention in delete
// mode, where nothing published is kept.
func (r *Relay) retaining() bool { return r.cfg.Retain > 0 }

// PruneOnce deletes the published rows older than the retention, and the publications left without
// rows, and returns how many rows went. With no retention set it does nothing.
func (r *Relay) PruneOnce(ctx context.Context) (int64, error) {
	if !r.retaining() {
		return 0, nil
	}
	var total, after int64
	for ctx.Err() == nil {
		var deleted int64
		if err := r.db.QueryRow(ctx, prunePublished, r.cfg.Retain.Seconds(), pruneChunk, after).Scan(&deleted, &after); err != nil {
			return total, fmt.Errorf("prune published outbox rows: %w", err)
		}
		total += deleted
		r.m.pruned.Add(float64(deleted))
		if deleted < int64(pruneChunk) {
			break
		}
		pollloop.Sleep(ctx, prunePause)
	}
	if _, err := r.db.Exec(ctx, prunePublications); err != nil {
		return total, fmt.Errorf("prune outbox publications: %w", err)
	}
	return total, nil
}

// pruneWhileLeading prunes every PruneInterval while this replica publishes; standbys leave it to
// the publisher. A replica that just lost the lead may still finish a round beside the new one,
// which is harmless: both delete the same rows, one of them finds nothing.
func (r *Relay) pruneWhileLeading(ctx context.Context) {
	if !r.retaining() {
		return
	}
	t := time.NewTicker(r.cfg.PruneInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !r.leading.Load() {
			continue
		}
		n, err := r.PruneOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			r.m.errors.WithLabelValues("prune").Inc()
			r.log.Warn("outbox retention: pruning failed; will try again", zap.Error(err))
		case n > 0:
			r.log.Info("outbox retention: pruned published rows", zap.Int64("rows", n), zap.Duration("retain", r.cfg.Retain))
		}
	}
}

package outbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The relay reads outbox rows in position order from a cursor, so a row must never appear below a
// position already passed. Positions are drawn in insert order but become visible in commit order:
// a slow transaction can commit position 10 after position 11 was published.
//
// The horizon is the highest position known to be final. It is built from samples: read the
// sequence's last value S, then take an xid N of our own. Every position up to S was drawn before N
// existed, by a transaction that already held its xid (outbox_next_position takes the xid first), so
// that xid is below N. Once pg_snapshot_xmin of a later snapshot reaches N, no transaction below N is
// still running and positions up to S are final. This is the xid8 + pg_snapshot_xmin guard, applied
// to a whole range instead of to each row.
//
// A snapshot's xmax cannot stand in for N: it is one past the latest completed xid, so a transaction
// that took its xid after that and is still running lies at or above it and is in no snapshot's list.

// horizonSample is one (S, N) pair still waiting for the transactions below N to end.
type horizonSample struct {
	lastPosition int64  // S: the sequence's last value, read first
	xid          uint64 // N: an xid assigned after S was read
}

// maxPendingSamples bounds the samples kept while a long transaction holds xmin back. Samples turn
// final oldest first, so the oldest are the ones kept.
const maxPendingSamples = 32

// horizon tracks the final position. It belongs to the goroutine reading the outbox.
type horizon struct {
	final   int64
	sampled int64 // S of the newest sample: no new sample (and no xid) until the sequence moves
	pending []horizonSample
}

// add keeps a new sample until promote finds it final.
func (h *horizon) add(s horizonSample) {
	h.sampled = s.lastPosition
	if len(h.pending) < maxPendingSamples {
		h.pending = append(h.pending, s)
	} else {
		h.pending[len(h.pending)-1] = s
	}
}

// promote makes final every sample whose transactions have all ended by xmin.
func (h *horizon) promote(xmin uint64) {
	kept := h.pending[:0]
	for _, p := range h.pending {
		if p.xid <= xmin {
			h.final = max(h.final, p.lastPosition)
		} else {
			kept = append(kept, p)
		}
	}
	h.pending = kept
}

// Each statement runs on its own (its own implicit transaction), in this order: the xid must be
// assigned after the sequence was read, and committed before the snapshot that judges it. The xid's
// commit need not reach disk, hence synchronous_commit off for that one transaction.
const (
	readLastPosition = `select coalesce(pg_sequence_last_value('outbox_event_position_seq'::regclass), 0)`
	takeXID          = `select pg_current_xact_id()::text::numeric::int8, set_config('synchronous_commit', 'off', true)`
	readXmin         = `select pg_snapshot_xmin(pg_current_snapshot())::text::numeric::int8`
)

// refresh takes a new sample when the sequence has moved and advances the horizon as far as the
// current snapshot allows. It returns S as read, so a caller can wait for that position.
func (h *horizon) refresh(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var last int64
	if err := conn.QueryRow(ctx, readLastPosition).Scan(&last); err != nil {
		return 0, fmt.Errorf("read the outbox sequence: %w", err)
	}
	if last < h.sampled {
		// The sequence went back (a restore, a reset): what was final belongs to another history.
		*h = horizon{}
	}
	if last > h.sampled {
		var xid int64
		var setting string
		if err := conn.QueryRow(ctx, takeXID).Scan(&xid, &setting); err != nil {
			return 0, fmt.Errorf("take an xid for the outbox horizon: %w", err)
		}
		h.add(horizonSample{lastPosition: last, xid: uint64(xid)})
	}
	if len(h.pending) > 0 {
		var xmin int64
		if err := conn.QueryRow(ctx, readXmin).Scan(&xmin); err != nil {
			return 0, fmt.Errorf("read the snapshot xmin: %w", err)
		}
		h.promote(uint64(xmin))
	}
	return last, nil
}

// prepareSession readies a session for reading the outbox: it checks the sequence and steers the
// planner to the ordered index scan. Without fresh statistics (a backlog that grew since the last
// analyze) the planner expects a few rows and picks a bitmap scan, which converts and sorts every
// row up to the horizon, not just the batch.
func prepareSession(ctx context.Context, conn *pgx.Conn) error {
	if err := checkSequence(ctx, conn); err != nil {
		return err
	}
	_, err := conn.Exec(ctx, "set enable_bitmapscan = off; set enable_seqscan = off")
	return err
}

// restoreSession undoes prepareSession on a session going back to a pool.
func restoreSession(conn *pgx.Conn) {
	_, _ = conn.Exec(context.Background(), "reset enable_bitmapscan; reset enable_seqscan")
}

// checkSequence refuses a position sequence that caches values: a session holding a cached block
// draws positions below the sequence's last value long after the relay read it.
func checkSequence(ctx context.Context, conn *pgx.Conn) error {
	var cache int64
	err := conn.QueryRow(ctx, `select cache_size from pg_sequences
		where schemaname = current_schema() and sequencename = 'outbox_event_position_seq'`).Scan(&cache)
	if err != nil {
		return fmt.Errorf("read outbox_event_position_seq: %w", err)
	}
	if cache != 1 {
		return fmt.Errorf("outbox_event_position_seq has CACHE %d; the relay needs CACHE 1 (alter sequence outbox_event_position_seq cache 1)", cache)
	}
	return nil
}

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
//
// The argument needs every position to come from the column default (never an explicit value or a
// bare nextval), a sequence with CACHE 1, and one history of the server: a crash or failover can hand
// out positions and xids again, so each session of the relay starts its horizon afresh.

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
	readSequence = `select coalesce(pg_sequence_last_value('outbox_event_position_seq'::regclass), 0),
		(select seqcache from pg_sequence where seqrelid = 'outbox_event_position_seq'::regclass)`
	takeXID  = `select pg_current_xact_id()::text::numeric::int8, set_config('synchronous_commit', 'off', true)`
	readXmin = `select pg_snapshot_xmin(pg_current_snapshot())::text::numeric::int8`
)

// refresh takes a new sample when the sequence has moved and advances the horizon as far as the
// current snapshot allows. It returns S as read, so a caller can wait for that position.
func (h *horizon) refresh(ctx context.Context, conn *pgx.Conn) (int64, error) {
	last, err := lastPosition(ctx, conn)
	if err != nil {
		return 0, err
	}
	if last < h.sampled {
		// Only a reset or a restore moves the sequence back; what was final belongs to another history.
		return 0, fmt.Errorf("outbox_event_position_seq went back from %d to %d while the relay read it", h.sampled, last)
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

// lastPosition reads the sequence's last value S and refuses a sequence that caches values: a
// session holding a cached block draws positions below S long after the relay read it. It is checked
// on every read, so an ALTER SEQUENCE made while a relay leads stops that relay.
func lastPosition(ctx context.Context, conn *pgx.Conn) (int64, error) {
	var last, cache int64
	if err := conn.QueryRow(ctx, readSequence).Scan(&last, &cache); err != nil {
		return 0, fmt.Errorf("read outbox_event_position_seq: %w", err)
	}
	if cache != 1 {
		return 0, fmt.Errorf("outbox_event_position_seq has CACHE %d; the relay needs CACHE 1 "+
			"(alter sequence outbox_event_position_seq cache 1, then recycle the OMS's connections)", cache)
	}
	return last, nil
}

// startSession readies a session for reading the outbox and returns the cursor. The horizon starts
// empty: what a previous session learnt may not hold after a crash or a failover of PostgreSQL, which
// can hand out positions and xids again. A sequence behind the cursor (a restore) would make new rows
// look published, so the relay refuses it. The planner is steered to the ordered index scan: without
// fresh statistics (a backlog that grew since the last analyze) it expects a few rows and picks a
// bitmap scan, which converts and sorts every row up to the horizon, not just the batch.
func (r *Relay) startSession(ctx context.Context, conn *pgx.Conn) (int64, error) {
	r.horizon = horizon{}
	cursor, err := publishedThrough(ctx, conn)
	if err != nil {
		return 0, err
	}
	last, err := lastPosition(ctx, conn)
	if err != nil {
		return 0, err
	}
	if last < cursor {
		return 0, fmt.Errorf("outbox_event_position_seq is at %d, behind the relay's cursor %d (was the database restored?): "+
			"new rows would count as published; set the sequence past the cursor (select setval('outbox_event_position_seq', %d))",
			last, cursor, cursor)
	}
	if _, err := conn.Exec(ctx, "set enable_bitmapscan = off; set enable_seqscan = off"); err != nil {
		return 0, err
	}
	return cursor, nil
}

// endSession undoes startSession's settings on a session going back to a pool.
func endSession(conn *pgx.Conn) {
	_, _ = conn.Exec(context.Background(), "reset enable_bitmapscan; reset enable_seqscan")
}

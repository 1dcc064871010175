package outbox

import (
	"context"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

func TestHorizonPromotesASampleOnlyOnceEveryEarlierTransactionEnded(t *testing.T) {
	var h horizon
	h.add(horizonSample{lastPosition: 10, xid: 100})
	h.add(horizonSample{lastPosition: 25, xid: 140})
	h.promote(99) // a transaction below 100 still runs
	if h.final != 0 || len(h.pending) != 2 {
		t.Fatalf("final %d, pending %v: nothing may turn final while xmin is below every sample", h.final, h.pending)
	}
	h.promote(120)
	if h.final != 10 || len(h.pending) != 1 {
		t.Fatalf("final %d, pending %v: want 10 final and the second sample pending", h.final, h.pending)
	}
	h.promote(140)
	if h.final != 25 || len(h.pending) != 0 {
		t.Fatalf("final %d, pending %v: want 25 final", h.final, h.pending)
	}
	h.promote(10) // xmin is never read lower later, but a stale read must not move the horizon back
	if h.final != 25 {
		t.Fatalf("final moved back to %d", h.final)
	}
}

func TestHorizonKeepsItsOldestSamplesWhenFull(t *testing.T) {
	var h horizon
	for i := 1; i <= maxPendingSamples+5; i++ {
		h.add(horizonSample{lastPosition: int64(i * 10), xid: uint64(1000 + i)})
	}
	if len(h.pending) != maxPendingSamples || h.pending[0].lastPosition != 10 {
		t.Fatalf("pending %d samples starting at %d; want %d starting at the oldest", len(h.pending), h.pending[0].lastPosition, maxPendingSamples)
	}
	if last := h.pending[len(h.pending)-1]; last.lastPosition != int64((maxPendingSamples+5)*10) {
		t.Fatalf("newest slot holds %d, want the newest sample", last.lastPosition)
	}
	h.promote(1000 + maxPendingSamples + 5)
	if h.final != int64((maxPendingSamples+5)*10) {
		t.Fatalf("final %d once every transaction ended", h.final)
	}
}

// The horizon is sound only if a transaction holds its xid before it draws a position.
func TestOutboxPositionIsDrawnAfterTheTransactionHasItsXID(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewPool(t)
	var def string
	if err := db.QueryRow(ctx, `select pg_get_expr(adbin, adrelid) from pg_attrdef
		where adrelid = 'outbox_event'::regclass and adnum = (select attnum from pg_attribute
		  where attrelid = 'outbox_event'::regclass and attname = 'position')`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	if def != "outbox_next_position()" {
		t.Fatalf("position default is %s, want outbox_next_position()", def)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var before, after bool
	if err := tx.QueryRow(ctx, `select pg_current_xact_id_if_assigned() is not null`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, `select outbox_next_position() > 0, pg_current_xact_id_if_assigned() is not null`).Scan(new(bool), &after); err != nil {
		t.Fatal(err)
	}
	if before || !after {
		t.Fatalf("xid assigned before %v, after drawing a position %v; want false then true", before, after)
	}
}

func TestRelayRefusesAPositionSequenceThatCachesOrIsBehindTheCursor(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewPool(t)
	conn, err := db.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	relay := &Relay{}
	if _, err := relay.startSession(ctx, conn.Conn()); err != nil {
		t.Fatalf("a fresh database: %v", err)
	}
	exec := func(sql string) {
		t.Helper()
		if _, err := db.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(`alter sequence outbox_event_position_seq cache 20`)
	if _, err := relay.startSession(ctx, conn.Conn()); err == nil || !strings.Contains(err.Error(), "CACHE 20") {
		t.Fatalf("startSession with a caching sequence: %v", err)
	}
	if _, err := relay.horizon.refresh(ctx, conn.Conn()); err == nil || !strings.Contains(err.Error(), "CACHE 20") {
		t.Fatalf("a relay already reading must stop too: %v", err)
	}
	exec(`alter sequence outbox_event_position_seq cache 1`)
	// a restore that brought the publications back but not the sequence
	exec(`insert into outbox_publication (last_position, first_position, event_count) values (1000, 1, 0)`)
	if _, err := relay.startSession(ctx, conn.Conn()); err == nil || !strings.Contains(err.Error(), "behind the relay's cursor 1000") {
		t.Fatalf("startSession with the sequence behind the cursor: %v", err)
	}
	exec(`select setval('outbox_event_position_seq', 1000)`)
	if cursor, err := relay.startSession(ctx, conn.Conn()); err != nil || cursor != 1000 {
		t.Fatalf("startSession once the sequence is past the cursor: %d, %v", cursor, err)
	}
}

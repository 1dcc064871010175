package outbox_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/outbox"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

func age(t *testing.T, db *pgxpool.Pool, where string) {
	t.Helper()
	if _, err := db.Exec(context.Background(), "update outbox_event set created_at = now() - interval '2 hours' where "+where); err != nil {
		t.Fatal(err)
	}
}

// seqIn selects the test events by the seq in their payload.
func seqIn(seqs string) string { return "(envelope::jsonb #>> '{payload,seq}')::int in (" + seqs + ")" }

func publications(t *testing.T, db *pgxpool.Pool) (count, through int64) {
	t.Helper()
	if err := db.QueryRow(context.Background(), `select count(*), coalesce(max(last_position), 0) from outbox_publication`).Scan(&count, &through); err != nil {
		t.Fatal(err)
	}
	return count, through
}

// Retention deletes rows that are both published and old, never an unpublished one however old,
// and keeps the publications of the rows that remain and the one that holds the cursor.
func TestRetentionDeletesOnlyPublishedRowsPastTheRetention(t *testing.T) {
	defer outbox.SetPruneChunk(2)() // three old rows take two chunks
	ctx := context.Background()
	db := pgtest.NewPool(t)
	topic := newTopic(t, 1)
	relay := newRelay(t, db, topic, outbox.Config{BatchSize: 2, Retain: time.Hour})
	agg := domain.NewUUID()
	insertCommitted(t, db, event(agg, 1), event(agg, 2), event(agg, 3), event(agg, 4), event(agg, 5), event(agg, 6))
	eventually(t, 15*time.Second, "six rows published", func() bool {
		_, err := relay.RelayOnce(ctx)
		return err == nil && published(t, db) == 6
	})
	insertCommitted(t, db, event(agg, 7), event(agg, 8))
	age(t, db, seqIn("1, 2, 3, 7, 8"))
	count, cursor := publications(t, db)
	if count != 3 {
		t.Fatalf("%d publications before pruning, want 3 (batches of 2)", count)
	}

	n, err := relay.PruneOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || countWhere(t, db, seqIn("1, 2, 3")) != 0 {
		t.Fatalf("pruned %d rows; rows 1 to 3 left: %d; want the three old published rows gone", n, countWhere(t, db, seqIn("1, 2, 3")))
	}
	if left := countWhere(t, db, seqIn("4, 5, 6, 7, 8")); left != 5 {
		t.Fatalf("%d of the fresh published rows and the old unpublished rows left, want 5", left)
	}
	if got := metrictest.Value(t, relay.reg, "orderfleet_outbox_pruned_total"); got != 3 {
		t.Fatalf("orderfleet_outbox_pruned_total = %v, want 3", got)
	}
	// The batch of rows 3 and 4 lost row 3 but still covers row 4, which keeps it.
	var covering int
	if err := db.QueryRow(ctx, `select count(*) from outbox_publication p join outbox_event e
		on e.position between p.first_position and p.last_position where `+seqIn("4")).Scan(&covering); err != nil {
		t.Fatal(err)
	}
	if count, through := publications(t, db); count != 2 || through != cursor || covering != 1 {
		t.Fatalf("%d publications through %d (cursor was %d), %d covering row 4: want the batches of rows 3-4 and 5-6 kept",
			count, through, cursor, covering)
	}

	// The old unpublished rows are still published in order. Once every published row is pruned,
	// with only an unpublished one left above the cursor, the cursor's publication still stays, so
	// the next round sends that row alone.
	eventually(t, 15*time.Second, "rows 7 and 8 published", func() bool {
		_, err := relay.RelayOnce(ctx)
		return err == nil && unpublished(t, db) == 0
	})
	got := consume(t, topic, 8, 20*time.Second)
	var last struct {
		Payload struct{ Seq int } `json:"payload"`
	}
	if err := json.Unmarshal(got[7].Value, &last); err != nil || last.Payload.Seq != 8 {
		t.Fatalf("eighth record is %s (%v), want seq 8", got[7].Value, err)
	}
	insertCommitted(t, db, event(agg, 9))
	age(t, db, "true")
	_, cursor = publications(t, db)
	if _, err := relay.PruneOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if left, unsent := countWhere(t, db, "true"), countWhere(t, db, seqIn("9")); left != 1 || unsent != 1 {
		t.Fatalf("%d rows left, row 9 among them: %d; want only the unpublished row 9", left, unsent)
	}
	if count, through := publications(t, db); count != 1 || through != cursor {
		t.Fatalf("%d publications through %d after pruning every published row, want only the cursor's (%d)", count, through, cursor)
	}
	if sent, err := relay.RelayOnce(ctx); err != nil || sent != 1 {
		t.Fatalf("relay round after pruning sent %d (err %v), want row 9 alone", sent, err)
	}
}

// The publishing replica prunes on its own; a relay without a retention keeps every row.
func TestRelayPrunesWhileItPublishes(t *testing.T) {
	relay, db, _, stop := startRelay(t, 1, outbox.Config{Retain: time.Hour, PruneInterval: 100 * time.Millisecond})
	defer stop()
	agg := domain.NewUUID()
	insertCommitted(t, db, event(agg, 1), event(agg, 2))
	eventually(t, 15*time.Second, "two rows published", func() bool { return published(t, db) == 2 })
	age(t, db, "true")
	eventually(t, 15*time.Second, "published rows past the retention deleted", func() bool { return countWhere(t, db, "true") == 0 })
	if got := metrictest.Value(t, relay.reg, "orderfleet_outbox_pruned_total"); got != 2 {
		t.Fatalf("orderfleet_outbox_pruned_total = %v, want 2", got)
	}
	if failed := metrictest.Sum(t, relay.reg, "orderfleet_outbox_publish_errors_total", "stage", "prune"); failed != 0 {
		t.Fatalf("%v pruning rounds failed", failed)
	}

	keeper, keeperDB, _, stopKeeper := startRelay(t, 1, outbox.Config{PruneInterval: 100 * time.Millisecond})
	defer stopKeeper()
	insertCommitted(t, keeperDB, event(agg, 1))
	eventually(t, 15*time.Second, "row published", func() bool { return published(t, keeperDB) == 1 })
	age(t, keeperDB, "true")
	time.Sleep(500 * time.Millisecond)
	if countWhere(t, keeperDB, "true") != 1 || metrictest.Value(t, keeper.reg, "orderfleet_outbox_pruned_total") != 0 {
		t.Fatal("a relay without a retention deleted a row")
	}
}

func TestRetentionSettingsAreChecked(t *testing.T) {
	for _, cfg := range []outbox.Config{{Retain: -time.Second}, {Retain: time.Hour, DeletePublished: true}} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	if err := (outbox.Config{Retain: time.Hour}).Validate(); err != nil {
		t.Errorf("a positive retention in mark mode refused: %v", err)
	}
}

// Only the publisher prunes: a standby with a retention leaves the rows alone until it leads.
func TestStandbyPrunesOnlyOnceItLeads(t *testing.T) {
	db := pgtest.NewPool(t)
	topic := newTopic(t, 1)
	lock := outbox.Config{PollInterval: 10 * time.Millisecond, LockRetry: 100 * time.Millisecond, PruneInterval: 100 * time.Millisecond}
	keeper := newRelay(t, db, topic, lock)
	withRetention := lock
	withRetention.Retain = time.Hour
	pruner := newRelay(t, db, topic, withRetention)

	stopKeeper := runReplica(t, keeper)
	eventually(t, 5*time.Second, "the keeper leads", func() bool { return metrictest.Value(t, keeper.reg, "orderfleet_outbox_relay_leader") == 1 })
	runReplica(t, pruner)

	insertCommitted(t, db, event(domain.NewUUID(), 1), event(domain.NewUUID(), 2))
	eventually(t, 10*time.Second, "rows published", func() bool { return published(t, db) == 2 })
	age(t, db, "true")
	time.Sleep(700 * time.Millisecond) // several prune ticks of the standby
	if left := countWhere(t, db, "true"); left != 2 {
		t.Fatalf("%d of 2 old published rows left while the replica with a retention stood by", left)
	}

	stopKeeper()
	eventually(t, 10*time.Second, "the new publisher prunes", func() bool { return countWhere(t, db, "true") == 0 })
}

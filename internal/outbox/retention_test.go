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
	ctx := context.Background()
	db := pgtest.NewPool(t)
	topic := newTopic(t, 1)
	relay := newRelay(t, db, topic, outbox.Config{BatchSize: 2, Retain: time.Hour})
	agg := domain.NewUUID()
	insertCommitted(t, db, event(agg, 1), event(agg, 2), event(agg, 3))
	eventually(t, 15*time.Second, "three rows published", func() bool {
		_, err := relay.RelayOnce(ctx)
		return err == nil && published(t, db) == 3
	})
	insertCommitted(t, db, event(agg, 4), event(agg, 5))
	age(t, db, seqIn("1, 2, 4, 5"))
	if n, through := publications(t, db); n != 2 {
		t.Fatalf("%d publications through %d before pruning, want 2 (batches of 2)", n, through)
	}
	_, cursor := publications(t, db)

	n, err := relay.PruneOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || countWhere(t, db, seqIn("1, 2")) != 0 {
		t.Fatalf("pruned %d rows; rows 1 and 2 left: %d; want both old published rows gone", n, countWhere(t, db, seqIn("1, 2")))
	}
	if left := countWhere(t, db, seqIn("3, 4, 5")); left != 3 {
		t.Fatalf("%d of the fresh published row and the two old unpublished rows left, want 3", left)
	}
	if got := metrictest.Value(t, relay.reg, "orderfleet_outbox_pruned_total"); got != 2 {
		t.Fatalf("orderfleet_outbox_pruned_total = %v, want 2", got)
	}
	if count, through := publications(t, db); count != 1 || through != cursor {
		t.Fatalf("%d publications through %d, want only the one holding the cursor %d", count, through, cursor)
	}

	// The old unpublished rows are still published in order, and once everything is old and
	// published, pruning empties the table but keeps the cursor, so nothing is sent again.
	eventually(t, 15*time.Second, "rows 4 and 5 published", func() bool {
		_, err := relay.RelayOnce(ctx)
		return err == nil && unpublished(t, db) == 0
	})
	got := consume(t, topic, 5, 20*time.Second)
	var fifth struct {
		Payload struct{ Seq int } `json:"payload"`
	}
	if err := json.Unmarshal(got[4].Value, &fifth); err != nil || fifth.Payload.Seq != 5 {
		t.Fatalf("fifth record is %s (%v), want seq 5", got[4].Value, err)
	}
	age(t, db, "true")
	if _, err := relay.PruneOnce(ctx); err != nil {
		t.Fatal(err)
	}
	_, cursor = publications(t, db)
	if left := countWhere(t, db, "true"); left != 0 {
		t.Fatalf("%d rows left, want none", left)
	}
	if count, through := publications(t, db); count != 1 || through != cursor || through == 0 {
		t.Fatalf("%d publications through %d after emptying the table, want the cursor kept", count, through)
	}
	if sent, err := relay.RelayOnce(ctx); err != nil || sent != 0 {
		t.Fatalf("relay round after pruning sent %d (err %v), want nothing again", sent, err)
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

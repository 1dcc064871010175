package outbox_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/outbox"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

type relayUnderTest struct {
	*outbox.Relay
	reg *prometheus.Registry
}

func newRelay(t *testing.T, db *pgxpool.Pool, topic string, cfg outbox.Config) relayUnderTest {
	t.Helper()
	w := outbox.NewWriter(outbox.WriterConfig{Brokers: []string{brokers()}, Topic: topic, BatchSize: cfg.BatchSize})
	t.Cleanup(func() { _ = w.Close() })
	reg := prometheus.NewRegistry()
	r, err := outbox.New(cfg, db, w, zaptest.NewLogger(t), reg)
	if err != nil {
		t.Fatal(err)
	}
	return relayUnderTest{r, reg}
}

// startRelay runs a relay on a fresh database and topic until the returned stop is called; stop
// fails the test if Run returned an error.
func startRelay(t *testing.T, partitions int, cfg outbox.Config) (relayUnderTest, *pgxpool.Pool, string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db := pgtest.NewPool(t)
	topic := newTopic(t, partitions)
	relay := newRelay(t, db, topic, cfg)
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx) }()
	stop := func() {
		t.Helper()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(cancel)
	return relay, db, topic, stop
}

// A row of a transaction that is still open must hold back every row after it, even rows of
// transactions that committed earlier: publishing those first would skip the open row for good
// if the relay remembered a high-water position, and reorder the aggregate if it did not.
func TestRelayWaitsForOpenTransactionBeforeLaterRows(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewPool(t)
	topic := newTopic(t, 3)
	relay := newRelay(t, db, topic, outbox.Config{BatchSize: 100})

	agg := domain.NewUUID()
	first, second := event(agg, 1), event(agg, 2)

	txA, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback(ctx)
	if _, err := txA.Exec(ctx, insertSQL, insertArgs(t, first)...); err != nil { // lower position, still open
		t.Fatal(err)
	}
	insertCommitted(t, db, second) // higher position, committed

	for i := 0; i < 3; i++ {
		n, err := relay.RelayOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("relay published %d rows while the transaction holding the lower position was open", n)
		}
	}
	if got := published(t, db); got != 0 {
		t.Fatalf("%d rows counted published past an open transaction", got)
	}

	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	published := 0
	eventually(t, 15*time.Second, "both rows published once the open transaction committed", func() bool {
		n, err := relay.RelayOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		published += n
		return published == 2
	})

	msgs := consume(t, topic, 2, 20*time.Second)
	for i, want := range []domain.Event{first, second} {
		if got := header(msgs[i], outbox.HeaderEventID); got != want.EventID {
			t.Fatalf("record %d is event %s, want %s (position order)", i, got, want.EventID)
		}
	}
}

// Records carry the stored envelope, the aggregate id as key and the routing headers; each
// aggregate's events arrive in position order however the partitions interleave.
func TestRelayPublishesEnvelopeKeyHeadersInOrder(t *testing.T) {
	relay, db, topic, stop := startRelay(t, 3, outbox.Config{BatchSize: 64, PollInterval: 10 * time.Millisecond})

	const aggregates, perAggregate = 8, 40
	aggs := make([]string, aggregates)
	for i := range aggs {
		aggs[i] = domain.NewUUID()
	}
	byID := map[string]domain.Event{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, agg := range aggs {
		wg.Add(1)
		go func() { // aggregates written concurrently, each one in sequence
			defer wg.Done()
			for seq := 1; seq <= perAggregate; seq++ {
				e := event(agg, seq)
				mu.Lock()
				byID[e.EventID] = e
				mu.Unlock()
				insertCommitted(t, db, e)
			}
		}()
	}
	wg.Wait()

	total := aggregates * perAggregate
	msgs := consume(t, topic, total, 30*time.Second)
	lastSeq := map[string]int{}
	for _, m := range msgs {
		id := header(m, outbox.HeaderEventID)
		want, ok := byID[id]
		if !ok {
			t.Fatalf("unexpected event %s", id)
		}
		var got domain.Event
		if err := json.Unmarshal(m.Value, &got); err != nil {
			t.Fatalf("value is not the envelope: %v", err)
		}
		if got.EventID != id || got.AggregateID != want.AggregateID || got.TenantID != tenant {
			t.Fatalf("envelope %+v does not match row %s", got, id)
		}
		if string(m.Key) != want.AggregateID {
			t.Fatalf("key %q, want aggregate id %q", m.Key, want.AggregateID)
		}
		if header(m, outbox.HeaderTenantID) != tenant || header(m, outbox.HeaderEventType) != want.EventType ||
			header(m, outbox.HeaderCorrelationID) != want.CorrelationID {
			t.Fatalf("headers %v do not match event %s", m.Headers, id)
		}
		seq := int(got.Payload["seq"].(float64))
		if seq != lastSeq[want.AggregateID]+1 {
			t.Fatalf("aggregate %s: seq %d after %d", want.AggregateID, seq, lastSeq[want.AggregateID])
		}
		lastSeq[want.AggregateID] = seq
	}
	eventually(t, 10*time.Second, "all rows recorded published", func() bool {
		return unpublished(t, db) == 0
	})
	if got := metrictest.Value(t, relay.reg, "orderfleet_outbox_published_total"); got != float64(total) {
		t.Fatalf("published_total %v, want %d", got, total)
	}
	stop()
}

// With DeletePublished the rows Kafka acknowledged are gone instead of kept.
func TestRelayDeleteModeRemovesPublishedRows(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewPool(t)
	topic := newTopic(t, 1)
	relay := newRelay(t, db, topic, outbox.Config{BatchSize: 10, DeletePublished: true})
	agg := domain.NewUUID()
	insertCommitted(t, db, event(agg, 1), event(agg, 2), event(agg, 3))
	eventually(t, 15*time.Second, "rows published and deleted", func() bool {
		_, err := relay.RelayOnce(ctx)
		return err == nil && countWhere(t, db, "true") == 0
	})
	insertCommitted(t, db, event(agg, 4), event(agg, 5))
	eventually(t, 15*time.Second, "later rows published and deleted", func() bool {
		_, err := relay.RelayOnce(ctx)
		return err == nil && countWhere(t, db, "true") == 0
	})
	consume(t, topic, 5, 20*time.Second)
	// Publications of deleted rows are pruned with the next batch; the newest one keeps the cursor.
	var batches, through int64
	if err := db.QueryRow(ctx, `select count(*), max(last_position) from outbox_publication`).Scan(&batches, &through); err != nil {
		t.Fatal(err)
	}
	if batches != 1 || through < 5 {
		t.Fatalf("%d publications through %d, want the newest one only", batches, through)
	}
}

// The value is the envelope exactly as the OMS wrote it (key order and spacing included); the
// traceparent stored beside it becomes a header, and a missing correlation id adds none.
func TestRelaySendsTheStoredEnvelopeAndTraceParent(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewPool(t)
	topic := newTopic(t, 1)
	relay := newRelay(t, db, topic, outbox.Config{BatchSize: 10})
	e := event(domain.NewUUID(), 1)
	written := `{"eventId": "` + e.EventID + `", "tenantId": "` + tenant + `",  "payload": {"z": 1, "a": 2}}`
	const trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	_, err := db.Exec(ctx, `insert into outbox_event (id, tenant_id, event_type, event_version, aggregate_type, aggregate_id,
		    message_key, envelope, occurred_at, traceparent)
		values ($1, $2, $3, 1, $4, $5, $6, $7, now(), $8)`,
		e.EventID, tenant, e.EventType, e.AggregateType, e.AggregateID, tenant+":"+e.AggregateID, written, trace)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "the row published", func() bool {
		n, err := relay.RelayOnce(ctx)
		return err == nil && n == 1
	})
	m := consume(t, topic, 1, 20*time.Second)[0]
	if string(m.Value) != written {
		t.Fatalf("value %s\nwant %s", m.Value, written)
	}
	if got := header(m, outbox.HeaderTraceParent); got != trace {
		t.Fatalf("traceparent header %q, want %q", got, trace)
	}
	for _, h := range m.Headers {
		if h.Key == outbox.HeaderCorrelationID {
			t.Fatalf("correlation header %q sent for a row without a correlation id", h.Value)
		}
	}
	if unpublished(t, db) != 0 {
		t.Fatal("the row is still above the cursor")
	}
}

// Positions without rows (a rolled-back transaction drew them) longer than a batch must not stop the
// relay: it used to read that empty stretch again and again without sampling the horizon anew.
func TestRelayPassesOverAStretchOfPositionsWithoutRows(t *testing.T) {
	ctx := context.Background()
	_, db, topic, stop := startRelay(t, 1, outbox.Config{BatchSize: 10, PollInterval: 10 * time.Millisecond})
	agg := domain.NewUUID()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for seq := 1; seq <= 25; seq++ {
		if _, err := tx.Exec(ctx, insertSQL, insertArgs(t, event(agg, seq))...); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the relay samples the sequence past the rolled-back positions
	kept := event(agg, 26)
	insertCommitted(t, db, kept)
	eventually(t, 10*time.Second, "the row after the empty stretch published", func() bool { return unpublished(t, db) == 0 })
	if got := header(consume(t, topic, 1, 20*time.Second)[0], outbox.HeaderEventID); got != kept.EventID {
		t.Fatalf("published %s, want %s", got, kept.EventID)
	}
	stop()
}

// The runbook's replay: forgetting the publications from a position on makes a relay that starts
// leading send those rows again, in order.
func TestRelayResendsRowsWhosePublicationsWereForgotten(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewPool(t)
	topic := newTopic(t, 1)
	relay := newRelay(t, db, topic, outbox.Config{BatchSize: 1}) // one publication per row
	agg := domain.NewUUID()
	events := []domain.Event{event(agg, 1), event(agg, 2), event(agg, 3)}
	insertCommitted(t, db, events...)
	eventually(t, 15*time.Second, "all rows published", func() bool {
		_, err := relay.RelayOnce(ctx)
		return err == nil && unpublished(t, db) == 0
	})
	var second int64
	if err := db.QueryRow(ctx, `select position from outbox_event where id = $1`, events[1].EventID).Scan(&second); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `delete from outbox_publication where last_position >= $1`, second); err != nil {
		t.Fatal(err)
	}
	if n := unpublished(t, db); n < 2 {
		t.Fatalf("%d rows above the cursor after forgetting the publications from the second row", n)
	}
	again := newRelay(t, db, topic, outbox.Config{BatchSize: 10})
	eventually(t, 15*time.Second, "the forgotten rows published again", func() bool {
		_, err := again.RelayOnce(ctx)
		return err == nil && unpublished(t, db) == 0
	})
	msgs := consume(t, topic, 5, 20*time.Second)
	var ids []string
	for _, m := range msgs {
		ids = append(ids, header(m, outbox.HeaderEventID))
	}
	first := []string{events[0].EventID, events[1].EventID, events[2].EventID}
	if !slices.Equal(ids[:3], first) || !slices.Equal(ids[3:], first[1:]) {
		t.Fatalf("records %v, want the three events then the second and third again", ids)
	}
}

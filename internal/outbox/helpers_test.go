package outbox_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/kafkatest"
)

const tenant = "tenant-outbox"

// brokers is the local stack's Kafka unless ORDERFLEET_KAFKA_BROKERS says otherwise.
func brokers() string { return kafkatest.Brokers() }

func randomSuffix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newTopic creates a topic of its own for one test, so tests never read each other's records.
func newTopic(t testing.TB, partitions int) string {
	return kafkatest.NewTopic(t, "test.outbox", partitions)
}

// event is an envelope as the OMS writes it; seq orders one aggregate's events.
func event(aggregateID string, seq int) domain.Event {
	return domain.Event{
		EventID:       domain.NewUUID(),
		EventType:     domain.EventFulfillmentTaskCompleted,
		EventVersion:  domain.EventVersion,
		OccurredAt:    time.Now().UTC().Truncate(time.Millisecond),
		TenantID:      tenant,
		CorrelationID: "corr-" + aggregateID[:8],
		AggregateType: domain.AggregateFulfillmentTask,
		AggregateID:   aggregateID,
		Payload:       map[string]any{"orderId": aggregateID, "seq": seq},
	}
}

const insertSQL = `
	insert into outbox_event (id, tenant_id, event_type, event_version, aggregate_type, aggregate_id,
	    correlation_id, message_key, envelope, occurred_at)
	values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`

func insertArgs(t testing.TB, e domain.Event) []any {
	t.Helper()
	envelope, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return []any{e.EventID, e.TenantID, e.EventType, e.EventVersion, e.AggregateType, e.AggregateID,
		e.CorrelationID, e.TenantID + ":" + e.AggregateID, string(envelope), e.OccurredAt}
}

// insertCommitted writes each event in its own committed transaction.
func insertCommitted(t testing.TB, db *pgxpool.Pool, events ...domain.Event) {
	t.Helper()
	for _, e := range events {
		if _, err := db.Exec(context.Background(), insertSQL, insertArgs(t, e)...); err != nil {
			t.Fatalf("insert outbox row: %v", err)
		}
	}
}

// consume reads n records from the topic (all partitions) with a fresh consumer group.
func consume(t testing.TB, topic string, n int, within time.Duration) []kafka.Message {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: []string{brokers()}, GroupID: "test-reader-" + randomSuffix(), GroupTopics: []string{topic},
		StartOffset: kafka.FirstOffset, MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 200 * time.Millisecond,
	})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	var out []kafka.Message
	for len(out) < n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("read %s: got %d of %d records: %v", topic, len(out), n, err)
		}
		out = append(out, m)
	}
	return out
}

func header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func countWhere(t testing.TB, db *pgxpool.Pool, where string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), "select count(*) from outbox_event where "+where).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// unpublished counts the rows above the relay's cursor.
func unpublished(t testing.TB, db *pgxpool.Pool) int {
	return countWhere(t, db, "position > outbox_published_through()")
}

// published counts the rows at or below the relay's cursor.
func published(t testing.TB, db *pgxpool.Pool) int {
	return countWhere(t, db, "position <= outbox_published_through()")
}

func eventually(t testing.TB, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

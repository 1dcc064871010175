package outbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/outbox"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

// Run with -benchtime=1x: each benchmark is one fixed scenario that reports its own rates. The
// database, Kafka and this process share the machine, so rates vary from run to run; the ratios
// come from one run and compare like with like.

const benchEvents = 100000

// benchEvent is an envelope of realistic size (about 450 bytes), spread over 500 aggregates.
func benchEvent(i int, aggs []string) domain.Event {
	e := event(aggs[i%len(aggs)], i)
	e.Payload = map[string]any{"orderId": e.AggregateID, "fulfillmentPlanId": domain.NewUUID(), "taskId": domain.NewUUID(),
		"taskType": "RESERVE_RESOURCE", "status": "COMPLETED", "externalCorrelationId": "inv-res-" + fmt.Sprint(i), "seq": i}
	return e
}

func copyEvents(b *testing.B, db *pgxpool.Pool, n int) {
	b.Helper()
	aggs := make([]string, 500)
	for i := range aggs {
		aggs[i] = domain.NewUUID()
	}
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = insertArgs(b, benchEvent(i, aggs))
	}
	cols := []string{"id", "tenant_id", "event_type", "event_version", "aggregate_type", "aggregate_id",
		"correlation_id", "message_key", "envelope", "occurred_at"}
	if _, err := db.CopyFrom(context.Background(), pgx.Identifier{"outbox_event"}, cols, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
}

// storedRecords reads the rows back as the relay would publish them, for the raw baseline.
func storedRecords(b *testing.B, db *pgxpool.Pool) []kafka.Message {
	b.Helper()
	rows, err := db.Query(context.Background(), `select id::text, tenant_id, event_type, aggregate_id, coalesce(correlation_id, ''), envelope::text from outbox_event order by position`)
	if err != nil {
		b.Fatal(err)
	}
	var out []kafka.Message
	for rows.Next() {
		var id, tenantID, eventType, agg, corr, env string
		if err := rows.Scan(&id, &tenantID, &eventType, &agg, &corr, &env); err != nil {
			b.Fatal(err)
		}
		out = append(out, kafka.Message{Key: []byte(agg), Value: []byte(env), Headers: []kafka.Header{
			{Key: outbox.HeaderTenantID, Value: []byte(tenantID)}, {Key: outbox.HeaderEventType, Value: []byte(eventType)},
			{Key: outbox.HeaderEventID, Value: []byte(id)}, {Key: outbox.HeaderCorrelationID, Value: []byte(corr)}}})
	}
	return out
}

// BenchmarkRelayThroughput: the relay draining a 100,000-event backlog with production settings
// (keeping, then deleting published rows), against kafka-go writing the same records with the same
// writer settings, all in the same run. The backlog is large enough that start-up (lock, first
// read, topic metadata) is a small part of the time on both sides.
func BenchmarkRelayThroughput(b *testing.B) {
	db := pgtest.NewPool(b)
	copyEvents(b, db, benchEvents)
	records := storedRecords(b, db)

	// Raw baseline 1: the whole backlog in one WriteMessages call, the fastest kafka-go can go.
	// Raw baseline 2: the same records in sequential, acknowledged writes of the relay's batch size,
	// i.e. the Kafka work the relay does, without the database. Each is the mean of a run before
	// and a run after the relay's, so a load spike on the shared machine does not favour either side.
	rawBefore, rawBatchedBefore := rawProduce(b, records, len(records)), rawProduce(b, records, outbox.DefaultBatchSize)

	markRate := drain(b, db, outbox.Config{})
	deleteDB := pgtest.NewPool(b)
	copyEvents(b, deleteDB, benchEvents)
	deleteRate := drain(b, deleteDB, outbox.Config{DeletePublished: true})

	rawRate := (rawBefore + rawProduce(b, records, len(records))) / 2
	rawBatchedRate := (rawBatchedBefore + rawProduce(b, records, outbox.DefaultBatchSize)) / 2

	b.ReportMetric(markRate, "relay_events/s")
	b.ReportMetric(deleteRate, "relay_delete_events/s")
	b.ReportMetric(rawRate, "raw_events/s")
	b.ReportMetric(markRate/rawRate, "relay/raw")
	b.ReportMetric(markRate/rawBatchedRate, "relay/raw_batched")
	fmt.Printf("outbox relay, %d events: mark %.0f events/s, delete %.0f events/s; raw kafka-go one call %.0f events/s "+
		"(ratios %.2f, %.2f); raw kafka-go in acknowledged batches of %d %.0f events/s (ratios %.2f, %.2f); "+
		"target >= 10000 events/s and >= 0.5\n", benchEvents, markRate, deleteRate, rawRate, markRate/rawRate, deleteRate/rawRate,
		outbox.DefaultBatchSize, rawBatchedRate, markRate/rawBatchedRate, deleteRate/rawBatchedRate)
}

// drain runs a relay until it has published the whole backlog and returns events per second.
func drain(b *testing.B, db *pgxpool.Pool, cfg outbox.Config) float64 {
	b.Helper()
	w := outbox.NewWriter(outbox.WriterConfig{Brokers: []string{brokers()}, Topic: newTopic(b, 3)})
	defer w.Close()
	reg := prometheus.NewRegistry()
	relay, err := outbox.New(cfg, db, w, zap.NewNop(), reg)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- relay.Run(ctx) }()
	for metrictest.Sum(b, reg, "orderfleet_outbox_published_total") < benchEvents {
		time.Sleep(2 * time.Millisecond)
	}
	rate := benchEvents / time.Since(start).Seconds()
	cancel()
	<-done
	return rate
}

// rawProduce writes the records to a fresh topic with the relay's writer settings, in sequential
// calls of the given size, and returns records per second.
func rawProduce(b *testing.B, records []kafka.Message, per int) float64 {
	b.Helper()
	w := outbox.NewWriter(outbox.WriterConfig{Brokers: []string{brokers()}, Topic: newTopic(b, 3)})
	defer w.Close()
	start := time.Now()
	for i := 0; i < len(records); i += per {
		if err := w.WriteMessages(context.Background(), records[i:min(i+per, len(records))]...); err != nil {
			b.Fatal(err)
		}
	}
	return float64(len(records)) / time.Since(start).Seconds()
}

package correlation_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/correlation"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

func payloadKey(e domain.Event) string {
	return correlation.TaskKey(e.TenantID, e.Payload["orderId"].(string), e.Payload["taskId"].(string))
}

// The message is published (and buffered for its TTL) before the instance even exists; the
// instance then reaches its catch event and correlates it.
func TestRouterMessageBeforeWaitStateStillCorrelates(t *testing.T) {
	db := pgtest.NewPool(t)
	engine := dialEngine(t)
	topic := newTopic(t, 3)
	router := startRouter(t, db, engine, topic, "test-"+randomSuffix())

	ev := taskResult("provisioning-adapter", "SUCCEEDED")
	produce(t, topic, record(t, ev))
	eventually(t, 30*time.Second, "the result is correlated", func() bool {
		return metrictest.Sum(t, router.reg, "orderfleet_router_records_total", "outcome", correlation.OutcomeCorrelated) == 1
	})
	var messageID, status string
	var publishes int
	err := db.QueryRow(context.Background(), `
		select message_id, publish_count, status from workflow_message_correlation
		where tenant_id = $1 and message_name = $2 and correlation_key = $3`,
		tenant, correlation.MessageProvisioningCompleted, payloadKey(ev)).Scan(&messageID, &publishes, &status)
	if err != nil || messageID != ev.EventID || publishes != 1 || status != "PUBLISHED" {
		t.Fatalf("correlation row: id %s count %d status %s err %v", messageID, publishes, status, err)
	}

	inst := startWaiting(t, engine, correlation.MessageProvisioningCompleted, payloadKey(ev))
	inst.openGate(t, engine)
	vars := inst.completed(t, 30*time.Second)
	if vars["externalResultEventId"] != ev.EventID || vars["externalOutcome"] != "SUCCEEDED" {
		t.Fatalf("instance variables %v lack the result of event %s", vars, ev.EventID)
	}
}

// The same record delivered five times reaches the engine once: four inbox hits, one publish.
func TestRouterDuplicateRecordPublishesOnce(t *testing.T) {
	db := pgtest.NewPool(t)
	engine := &countingEngine{Client: dialEngine(t)}
	topic := newTopic(t, 3)
	ev := taskResult("shipping-adapter", "DELIVERED")
	rec := record(t, ev)
	produce(t, topic, rec, rec, rec, rec, rec)
	router := startRouter(t, db, engine, topic, "test-"+randomSuffix())

	eventually(t, 30*time.Second, "five records finished", func() bool {
		return metrictest.Sum(t, router.reg, "orderfleet_router_records_total") == 5
	})
	got := map[string]float64{}
	for _, o := range []string{correlation.OutcomeCorrelated, correlation.OutcomeDuplicate} {
		got[o] = metrictest.Sum(t, router.reg, "orderfleet_router_records_total", "outcome", o)
	}
	if got[correlation.OutcomeCorrelated] != 1 || got[correlation.OutcomeDuplicate] != 4 {
		t.Fatalf("outcomes %v, want 1 correlated and 4 duplicates", got)
	}
	if n := metrictest.Sum(t, router.reg, "orderfleet_router_records_received_total"); n != 5 {
		t.Fatalf("received %v, want 5", n)
	}
	if n := engine.publishes.Load(); n != 1 {
		t.Fatalf("router sent %d PublishMessage commands, want 1", n)
	}
	if n := count(t, db, `select count(*) from inbox_event where message_id = $1 and status = 'PROCESSED'`, ev.EventID); n != 1 {
		t.Fatalf("%d inbox rows for the event, want 1", n)
	}
	inst := startWaiting(t, engine, correlation.MessageShippingConfirmed, payloadKey(ev))
	inst.openGate(t, engine)
	inst.completed(t, 30*time.Second)
}

// Poison records are filed with their reason and raw bytes; the records behind them flow, and
// the offsets move past all of them.
func TestRouterDeadLettersPoisonAndKeepsGoing(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewPool(t)
	engine := dialEngine(t)
	topic := newTopic(t, 1)
	group := "test-" + randomSuffix()

	good := taskResult("billing-adapter", "ACTIVATED")
	noEventID := taskResult("billing-adapter", "ACTIVATED")
	noEventID.EventID = ""
	badTenant := taskResult("billing-adapter", "ACTIVATED")
	badTenant.TenantID = "tenant:with:colons"
	unknownSystem := taskResult("carrier-pigeon", "ACTIVATED")
	unrouted := taskResult("billing-adapter", "ACTIVATED")
	unrouted.EventType = domain.EventFulfillmentTaskStarted

	garbage := kafka.Message{Key: []byte("k"), Value: []byte(`{"eventId": "broken`)}
	produce(t, topic, garbage, record(t, noEventID), record(t, badTenant), record(t, unknownSystem), record(t, unrouted), record(t, good))
	router := startRouter(t, db, engine, topic, group)

	// Records are handled in parallel, so the valid one can finish before the poison ahead of it.
	eventually(t, 30*time.Second, "all six records finished", func() bool {
		return metrictest.Sum(t, router.reg, "orderfleet_router_records_total") == 6
	})
	if n := metrictest.Sum(t, router.reg, "orderfleet_router_records_total", "outcome", correlation.OutcomeCorrelated); n != 1 {
		t.Fatalf("correlated %v, want 1", n)
	}
	if n := metrictest.Sum(t, router.reg, "orderfleet_router_records_total", "outcome", correlation.OutcomeDeadLettered); n != 4 {
		t.Fatalf("dead-lettered %v, want 4", n)
	}
	if n := metrictest.Sum(t, router.reg, "orderfleet_router_records_total", "outcome", correlation.OutcomeIgnored); n != 1 {
		t.Fatalf("ignored %v, want 1", n)
	}
	rows, err := db.Query(ctx, `select tenant_id, error_code, record_value, kafka_offset from dead_letter where consumer = 'correlation-router' order by kafka_offset`)
	if err != nil {
		t.Fatal(err)
	}
	type letter struct {
		tenant, code string
		value        []byte
		offset       int64
	}
	var letters []letter
	for rows.Next() {
		var l letter
		if err := rows.Scan(&l.tenant, &l.code, &l.value, &l.offset); err != nil {
			t.Fatal(err)
		}
		letters = append(letters, l)
	}
	want := []letter{
		{correlation.UnknownTenant, correlation.ReasonInvalidJSON, garbage.Value, 0},
		{tenant, correlation.ReasonMissingField, record(t, noEventID).Value, 1},
		{correlation.UnknownTenant, correlation.ReasonInvalidTenant, record(t, badTenant).Value, 2},
		{tenant, correlation.ReasonUnroutable, record(t, unknownSystem).Value, 3},
	}
	if len(letters) != len(want) {
		t.Fatalf("%d dead letters, want %d", len(letters), len(want))
	}
	for i, w := range want {
		l := letters[i]
		if l.tenant != w.tenant || l.code != w.code || l.offset != w.offset || !bytes.Equal(l.value, w.value) {
			t.Fatalf("dead letter %d: %s %s @%d, want %s %s @%d (raw bytes equal: %v)",
				i, l.tenant, l.code, l.offset, w.tenant, w.code, w.offset, bytes.Equal(l.value, w.value))
		}
	}
	eventually(t, 10*time.Second, "consumer lag reported as 0", func() bool {
		return metrictest.Count(t, router.reg, "orderfleet_router_consumer_lag") == 1 && metrictest.Sum(t, router.reg, "orderfleet_router_consumer_lag") == 0
	})
	router.stop()
	if off := committedOffset(t, group, topic, 0); off != 6 {
		t.Fatalf("committed offset %d, want 6 (past every record)", off)
	}
}

// With the engine unreachable the record is retried and its offset stays put; a router started
// later (engine back) picks the same record up and correlates it.
func TestRouterRetriesWhileEngineIsDown(t *testing.T) {
	db := pgtest.NewPool(t)
	topic := newTopic(t, 1)
	group := "test-" + randomSuffix()
	ev := taskResult("appointment-adapter", "SCHEDULED")
	produce(t, topic, record(t, ev))

	down, err := zbc.NewClient(&zbc.ClientConfig{GatewayAddress: "127.0.0.1:1", UsePlaintextConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	first := startRouter(t, db, down, topic, group)
	eventually(t, 30*time.Second, "engine failures", func() bool {
		return metrictest.Sum(t, first.reg, "orderfleet_router_failures_total", "stage", "engine") >= 2
	})
	first.stop()
	if n := count(t, db, `select count(*) from inbox_event`); n != 0 {
		t.Fatalf("%d inbox rows written while the publish failed", n)
	}
	if off := committedOffset(t, group, topic, 0); off > 0 {
		t.Fatalf("offset %d committed for a record that was never handled", off)
	}

	engine := dialEngine(t)
	second := startRouter(t, db, engine, topic, group)
	eventually(t, 30*time.Second, "the record is correlated once the engine answers", func() bool {
		return metrictest.Sum(t, second.reg, "orderfleet_router_records_total", "outcome", correlation.OutcomeCorrelated) == 1
	})
	inst := startWaiting(t, engine, correlation.MessageAppointmentScheduled, payloadKey(ev))
	inst.openGate(t, engine)
	inst.completed(t, 30*time.Second)
}

// committedOffset asks Kafka for the group's committed offset (-1 when none).
func committedOffset(t *testing.T, group, topic string, partition int) int64 {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(brokers()), Timeout: 10 * time.Second}
	resp, err := client.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: {partition}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range resp.Topics[topic] {
		if p.Partition == partition {
			return p.CommittedOffset
		}
	}
	return -1
}

// A second result for the same task (a retried attempt) is a new event: it is published too, and the
// one correlation row of the key records the latest message and the count.
func TestRouterRepeatedKeyUpdatesOneCorrelationRow(t *testing.T) {
	db := pgtest.NewPool(t)
	engine := dialEngine(t)
	topic := newTopic(t, 1)
	first := taskResult("provisioning-adapter", "FAILED")
	retry := first
	retry.EventID, retry.Payload = domain.NewUUID(), map[string]any{}
	for k, v := range first.Payload {
		retry.Payload[k] = v
	}
	retry.Payload["outcome"] = "COMPLETED"
	produce(t, topic, record(t, first), record(t, retry))
	router := startRouter(t, db, engine, topic, "test-"+randomSuffix())
	eventually(t, 30*time.Second, "both results correlated", func() bool {
		return metrictest.Sum(t, router.reg, "orderfleet_router_records_total", "outcome", correlation.OutcomeCorrelated) == 2
	})
	var rows, publishes int
	var last string
	err := db.QueryRow(context.Background(), `
		select count(*), max(publish_count), max(message_id) from workflow_message_correlation where correlation_key = $1`,
		payloadKey(first)).Scan(&rows, &publishes, &last)
	if err != nil || rows != 1 || publishes != 2 || last != retry.EventID {
		t.Fatalf("correlation rows %d, publish count %d, last message %s (err %v); want 1, 2, %s", rows, publishes, last, err, retry.EventID)
	}
}

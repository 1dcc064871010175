package correlation_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/kafkatest"
)

// newTopic gives a test its own topic; a missing broker fails the test.
func newTopic(t testing.TB, partitions int) string {
	return kafkatest.NewTopic(t, "test.router", partitions)
}

// produce writes records keyed like the outbox relay does (aggregate id).
func produce(t testing.TB, topic string, msgs ...kafka.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for attempt := 0; ; attempt++ {
		// A fresh transport per attempt: kafka-go's shared default transport keeps a topic's metadata
		// for seconds, so retries through it would keep seeing a just-created topic as missing.
		transport := &kafka.Transport{MetadataTTL: 500 * time.Millisecond}
		w := &kafka.Writer{Addr: kafka.TCP(brokers()), Topic: topic, Balancer: kafka.Murmur2Balancer{}, Transport: transport,
			RequiredAcks: kafka.RequireAll, BatchTimeout: 2 * time.Millisecond, BatchSize: 1000}
		err := w.WriteMessages(ctx, msgs...)
		w.Close()
		transport.CloseIdleConnections()
		if err == nil {
			return
		}
		if attempt == 40 { // a new topic's partitions may take a moment to open on a fresh broker
			t.Fatalf("produce to %s: %v", topic, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func record(t testing.TB, e domain.Event) kafka.Message {
	t.Helper()
	v, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return kafka.Message{Key: []byte(e.AggregateID), Value: v}
}

package kafkatopic_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/kafkatest"
	"github.com/orderfleet/orderfleet/internal/kafkatopic"
)

// A missing topic is created with the layout asked for; a second call leaves it as it is.
func TestEnsureCreatesAMissingTopicOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	topic := "kafkatopic-test." + hex.EncodeToString(b)
	layout := kafkatopic.Layout{Partitions: 2, Replication: 1}
	for i := 0; i < 2; i++ {
		if err := kafkatopic.Prepare(ctx, 20*time.Second, []string{kafkatest.Brokers()}, layout, topic); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	conn, err := kafka.DialContext(ctx, "tcp", kafkatest.Brokers())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions(topic)
	if err != nil || len(parts) != 2 {
		t.Fatalf("topic %s: %d partitions (%v), want 2", topic, len(parts), err)
	}
	t.Cleanup(func() { _ = conn.DeleteTopics(topic) })
}

func TestPrepareGivesUpWithAClearError(t *testing.T) {
	err := kafkatopic.Prepare(context.Background(), time.Second, []string{"127.0.0.1:1"}, kafkatopic.Layout{Partitions: 1, Replication: 1}, "x")
	if err == nil {
		t.Fatal("no error although no broker listens")
	}
}

package correlation_test

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// newTopic gives a test its own topic; a missing broker fails the test.
func newTopic(t testing.TB, partitions int) string {
	t.Helper()
	name := "test.router." + randomSuffix()
	conn, err := kafka.Dial("tcp", brokers())
	if err != nil {
		t.Fatalf("kafka at %s is not reachable (run `make stack-up`): %v", brokers(), err)
	}
	defer conn.Close()
	ctrl, err := conn.Controller()
	if err != nil {
		t.Fatal(err)
	}
	cc, err := kafka.Dial("tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	if err := cc.CreateTopics(kafka.TopicConfig{Topic: name, NumPartitions: partitions, ReplicationFactor: 1}); err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
	waitForTopic(t, conn, name, partitions)
	t.Cleanup(func() { deleteTopic(name) })
	return name
}

// deleteTopic removes a test's topic, best effort: a leftover topic costs disk, not correctness.
func deleteTopic(name string) {
	conn, err := kafka.Dial("tcp", brokers())
	if err != nil {
		return
	}
	defer conn.Close()
	ctrl, err := conn.Controller()
	if err != nil {
		return
	}
	cc, err := kafka.Dial("tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return
	}
	defer cc.Close()
	_ = cc.DeleteTopics(name)
}

// waitForTopic returns once every partition of a new topic has a leader; produce requests sent
// earlier are refused as UNKNOWN_TOPIC_OR_PARTITION.
func waitForTopic(t testing.TB, conn *kafka.Conn, name string, partitions int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		parts, err := conn.ReadPartitions(name)
		ready := err == nil && len(parts) == partitions
		for _, p := range parts {
			ready = ready && p.Leader.Host != ""
		}
		if ready {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("topic %s not ready: %v", name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// produce writes records keyed like the outbox relay does (aggregate id).
func produce(t testing.TB, topic string, msgs ...kafka.Message) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(brokers()), Topic: topic, Balancer: kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll, BatchTimeout: 2 * time.Millisecond, BatchSize: 1000}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for attempt := 0; ; attempt++ {
		err := w.WriteMessages(ctx, msgs...)
		if err == nil {
			return
		}
		if attempt == 20 { // a new topic's partitions may take a moment to open on the broker
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

// Package kafkatest gives tests their own topics on the local stack's Kafka, as pgtest gives them
// their own databases. A missing broker fails the test: these tests are about the real Kafka.
package kafkatest

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// Brokers is the local stack's Kafka unless ORDERFLEET_KAFKA_BROKERS says otherwise.
func Brokers() string {
	if b := os.Getenv("ORDERFLEET_KAFKA_BROKERS"); b != "" {
		return b
	}
	return "127.0.0.1:19092"
}

// NewTopic creates prefix.<random> with the given partitions, waits until every partition has a
// leader, and deletes it when the test ends, so tests never read each other's records.
func NewTopic(t testing.TB, prefix string, partitions int) string {
	t.Helper()
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	name := prefix + "." + hex.EncodeToString(b)
	conn, err := kafka.Dial("tcp", Brokers())
	if err != nil {
		t.Fatalf("kafka at %s is not reachable (run `make stack-up`): %v", Brokers(), err)
	}
	defer conn.Close()
	cc, err := dialController(conn)
	if err != nil {
		t.Fatalf("kafka controller: %v", err)
	}
	defer cc.Close()
	if err := cc.CreateTopics(kafka.TopicConfig{Topic: name, NumPartitions: partitions, ReplicationFactor: 1}); err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
	waitForLeaders(t, conn, name, partitions)
	t.Cleanup(func() { deleteTopic(name) })
	return name
}

func dialController(conn *kafka.Conn) (*kafka.Conn, error) {
	ctrl, err := conn.Controller()
	if err != nil {
		return nil, err
	}
	return kafka.Dial("tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
}

// deleteTopic removes a test's topic, best effort: a leftover topic costs disk, not correctness.
func deleteTopic(name string) {
	conn, err := kafka.Dial("tcp", Brokers())
	if err != nil {
		return
	}
	defer conn.Close()
	cc, err := dialController(conn)
	if err != nil {
		return
	}
	defer cc.Close()
	_ = cc.DeleteTopics(name)
}

// waitForLeaders returns once every partition of a new topic has a leader; produce requests sent
// earlier are refused as UNKNOWN_TOPIC_OR_PARTITION.
func waitForLeaders(t testing.TB, conn *kafka.Conn, name string, partitions int) {
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

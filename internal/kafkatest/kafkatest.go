// Package kafkatest gives tests their own topics on the local stack's Kafka, as pgtest gives them
// their own databases. A missing broker fails the test: these tests are about the real Kafka.
package kafkatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/kafkatopic"
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
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := kafkatopic.Ensure(ctx, Brokers(), partitions, 1, name); err != nil {
		t.Fatalf("kafka at %s (run `make stack-up`): %v", Brokers(), err)
	}
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

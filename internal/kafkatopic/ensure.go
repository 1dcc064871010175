// Package kafkatopic makes sure the fleet's topics exist before it produces to or consumes from them.
//
// A consumer group that joins before its topic exists gets no partitions, and kafka-go's reader
// does not reliably pick the topic up once the first producer auto-creates it: on a fresh broker
// the router then never sees a record. Creating the topics at start-up removes that race.
package kafkatopic

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/config"
)

// Ensure creates each missing topic with the given partitions (replication factor 1 unless the
// broker's own default applies) and waits until every partition of each topic has a leader.
// Existing topics are left as they are.
func Ensure(ctx context.Context, broker string, partitions, replication int, topics ...string) error {
	var d kafka.Dialer
	conn, err := d.DialContext(ctx, "tcp", broker)
	if err != nil {
		return fmt.Errorf("kafka %s: %w", broker, err)
	}
	defer conn.Close()
	ctrl, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("kafka controller: %w", err)
	}
	cc, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return fmt.Errorf("kafka controller %s:%d: %w", ctrl.Host, ctrl.Port, err)
	}
	defer cc.Close()
	configs := make([]kafka.TopicConfig, len(topics))
	for i, t := range topics {
		configs[i] = kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: replication}
	}
	if err := cc.CreateTopics(configs...); err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return fmt.Errorf("create topics %v: %w", topics, err)
	}
	for _, t := range topics {
		if err := waitForLeaders(ctx, conn, t); err != nil {
			return err
		}
	}
	return nil
}

// waitForLeaders returns once every partition of the topic has a leader; until then a produce is
// refused with UNKNOWN_TOPIC_OR_PARTITION.
func waitForLeaders(ctx context.Context, conn *kafka.Conn, topic string) error {
	for {
		parts, err := conn.ReadPartitions(topic)
		ready := err == nil && len(parts) > 0
		for _, p := range parts {
			ready = ready && p.Leader.Host != ""
		}
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("topic %s has no leader for every partition yet (%v): %w", topic, err, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Layout is how a topic the fleet creates is laid out.
type Layout struct {
	Partitions  int
	Replication int
}

// Register adds the layout's settings to a binary's settings.
func (l *Layout) Register(s *config.Set) {
	s.Int(&l.Partitions, "kafka-partitions", "ORDERFLEET_KAFKA_PARTITIONS", 3,
		"partitions of a topic created at start-up because it was missing (existing topics are left alone)")
	s.Int(&l.Replication, "kafka-replication", "ORDERFLEET_KAFKA_REPLICATION", 1, "replication factor of a topic created at start-up")
}

// Prepare runs Ensure until it succeeds or timeout passes: at start-up Kafka may still be coming up.
func Prepare(ctx context.Context, timeout time.Duration, brokers []string, l Layout, topics ...string) error {
	if len(brokers) == 0 {
		return errors.New("no Kafka brokers configured")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		err := Ensure(ctx, brokers[attempt%len(brokers)], l.Partitions, l.Replication, topics...)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kafka topics %v not ready after %s: %w", topics, timeout, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

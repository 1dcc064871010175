package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/outbox"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

// Two replicas: one publishes, the other waits; when the publisher stops, the standby takes over.
func TestRelayStandbyTakesOverWhenPublisherStops(t *testing.T) {
	db := pgtest.NewPool(t)
	topic := newTopic(t, 1)
	cfg := outbox.Config{BatchSize: 50, PollInterval: 10 * time.Millisecond, LockRetry: 100 * time.Millisecond}
	a, b := newRelay(t, db, topic, cfg), newRelay(t, db, topic, cfg)

	stopA := runReplica(t, a)
	eventually(t, 5*time.Second, "replica A leads", func() bool { return metrictest.Value(t, a.reg, "orderfleet_outbox_relay_leader") == 1 })
	runReplica(t, b)
	time.Sleep(500 * time.Millisecond) // several lock attempts by B
	if metrictest.Value(t, b.reg, "orderfleet_outbox_relay_leader") != 0 {
		t.Fatal("both replicas lead at once")
	}

	agg := domain.NewUUID()
	insertCommitted(t, db, event(agg, 1))
	eventually(t, 10*time.Second, "A publishes", func() bool { return unpublished(t, db) == 0 })

	stopA()
	eventually(t, 5*time.Second, "replica B takes over", func() bool { return metrictest.Value(t, b.reg, "orderfleet_outbox_relay_leader") == 1 })
	insertCommitted(t, db, event(agg, 2))
	eventually(t, 10*time.Second, "B publishes", func() bool { return unpublished(t, db) == 0 })

	msgs := consume(t, topic, 2, 20*time.Second)
	if metrictest.Value(t, a.reg, "orderfleet_outbox_published_total") != 1 || metrictest.Value(t, b.reg, "orderfleet_outbox_published_total") != 1 {
		t.Fatalf("each replica should have published one event; got %d records", len(msgs))
	}
}

// With Kafka unreachable nothing is recorded published and the failure is recorded on the blocking row; the
// same rows go out once a broker answers.
func TestRelayKeepsRowsWhileKafkaFails(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewPool(t)
	dead := outbox.NewWriter(outbox.WriterConfig{Brokers: []string{"127.0.0.1:1"}, Topic: "unused"})
	defer dead.Close()
	broken, err := outbox.New(outbox.Config{BatchSize: 10, PublishTimeout: 3 * time.Second}, db, dead, zaptest.NewLogger(t), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	agg := domain.NewUUID()
	insertCommitted(t, db, event(agg, 1), event(agg, 2))

	if _, err := broken.RelayOnce(ctx); err == nil {
		t.Fatal("publishing to a dead broker succeeded")
	}
	if got := unpublished(t, db); got != 2 {
		t.Fatalf("%d rows left unpublished, want 2", got)
	}
	if got := countWhere(t, db, "publish_attempts = 1 and last_error is not null"); got != 1 {
		t.Fatalf("%d rows record the failed attempt, want the head row only", got)
	}

	topic := newTopic(t, 1)
	relay := newRelay(t, db, topic, outbox.Config{BatchSize: 10})
	eventually(t, 15*time.Second, "rows published after Kafka is back", func() bool {
		_, err := relay.RelayOnce(ctx)
		return err == nil && unpublished(t, db) == 0
	})
	consume(t, topic, 2, 20*time.Second)
}

// runReplica runs a relay until the returned stop is called, or the test ends; stop fails the test
// if Run returned an error.
func runReplica(t *testing.T, relay relayUnderTest) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx) }()
	stopped := false
	stop = func() {
		t.Helper()
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(stop)
	return stop
}

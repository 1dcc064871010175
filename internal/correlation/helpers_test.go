package correlation_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/commands"
	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/orderfleet/orderfleet/internal/correlation"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/kafkatest"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

const tenant = "tenant-router"

// testTTL outlives the engine clock jumps other suites make on the shared broker.
const testTTL = 24 * time.Hour

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func brokers() string      { return kafkatest.Brokers() }
func zeebeAddress() string { return envOr("ORDERFLEET_ZEEBE_ADDRESS", "127.0.0.1:26500") }

func randomSuffix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// taskResult is the event the callback API emits for a partner's result.
func taskResult(system, outcome string) domain.Event {
	orderID, taskID := domain.NewUUID(), domain.NewUUID()
	return domain.Event{
		EventID: domain.NewUUID(), EventType: correlation.EventExternalTaskResultReceived, EventVersion: 1,
		OccurredAt: time.Now().UTC(), TenantID: tenant, CorrelationID: "corr-" + orderID[:8],
		AggregateType: domain.AggregateFulfillmentTask, AggregateID: taskID,
		Payload: map[string]any{"orderId": orderID, "taskId": taskID, "externalSystem": system,
			"externalCorrelationId": "ext-" + taskID[:8], "outcome": outcome},
	}
}

func dialEngine(t testing.TB) zbc.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := zeebe.Dial(ctx, zeebeAddress())
	if err != nil {
		t.Fatalf("zeebe at %s is not reachable (run `make stack-up`): %v", zeebeAddress(), err)
	}
	t.Cleanup(func() { _ = c.Close() })
	bpmn, err := os.ReadFile("testdata/router-wait.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zeebe.Deploy(ctx, c, zeebe.Resource{Name: "router-wait.bpmn", Content: bpmn}); err != nil {
		t.Fatal(err)
	}
	return c
}

// countingEngine is the real client, counting the publishes the router attempts.
type countingEngine struct {
	zbc.Client
	publishes atomic.Int64
}

func (c *countingEngine) NewPublishMessageCommand() commands.PublishMessageCommandStep1 {
	c.publishes.Add(1)
	return c.Client.NewPublishMessageCommand()
}

type runningRouter struct {
	*correlation.Router
	reg  *prometheus.Registry
	stop func()
}

// startRouter runs a router in a consumer group of its own and stops it at cleanup.
func startRouter(t *testing.T, db *pgxpool.Pool, engine zbc.Client, topic, group string) *runningRouter {
	t.Helper()
	reader := correlation.NewReader(correlation.ReaderConfig{Brokers: []string{brokers()}, Topics: []string{topic},
		Group: group, SessionTimeout: 6 * time.Second})
	reg := prometheus.NewRegistry()
	r, err := correlation.New(correlation.Config{MessageTTL: testTTL, MaxBackoff: time.Second}, reader, db, engine, zaptest.NewLogger(t), reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.Run(ctx)
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
			_ = reader.Close()
		}
	}
	t.Cleanup(stop)
	return &runningRouter{Router: r, reg: reg, stop: stop}
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

func count(t testing.TB, db *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

package correlation_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/correlation"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

// Run with -benchtime=1x: the benchmark is one fixed scenario that reports its own rates.

const (
	benchMessages = 2000
	benchInFlight = 32
	// benchTTL is the message TTL of both sides. No process waits for these messages, so the engine
	// buffers each until it expires; with the router's default hour, every run left thousands of them
	// behind, and their expiry slowed the shared engine (and Operate) for the runs and tests after.
	benchTTL = time.Minute
)

// rawPublish sends n messages with unique ids and keys, benchInFlight at a time, and returns how
// long that took: the engine's own ceiling for what the router does.
func rawPublish(b *testing.B, engine zbc.Client, n int) time.Duration {
	b.Helper()
	run := randomSuffix()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < benchInFlight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				id := fmt.Sprintf("raw-%s-%d", run, i)
				cmd, err := engine.NewPublishMessageCommand().MessageName(correlation.MessageProvisioningCompleted).
					CorrelationKey(id).MessageId(id).TimeToLive(benchTTL).VariablesFromMap(map[string]any{
					"externalResultEventId": id, "externalOutcome": "COMPLETED"})
				if err != nil {
					b.Error(err)
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, err = cmd.Send(ctx)
				cancel()
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// benchRounds alternate raw and router phases; the rates are over all rounds. The engine's speed
// drifts during a run (JIT, Operate importing), and alternating spreads the drift over both sides.
const benchRounds = 3

// settle gives the engine time to export the previous phase's records and Operate time to import
// them. Without it each router phase paid for the raw phase just before it, which had started on a
// quiet engine: the ratio read 0.55 to 0.8 for that reason alone.
func settle() { time.Sleep(10 * time.Second) }

// BenchmarkRouterThroughput: the router (inbox dedupe on, 32 publishes in flight) against raw
// PublishMessage with unique ids and 32 in flight from the same process, in alternating rounds, each
// phase on a settled engine.
func BenchmarkRouterThroughput(b *testing.B) {
	_, dbURL := pgtest.NewDatabase(b)
	db, err := pgxpool.New(context.Background(), dbURL+"&pool_max_conns=80")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	engine := dialEngine(b)
	var rawTime, routerTime time.Duration
	var rounds []string
	for round := 1; round <= benchRounds; round++ {
		topic := newTopic(b, 3)
		records := make([]kafka.Message, benchMessages)
		for i := range records {
			records[i] = record(b, taskResult("provisioning-adapter", "COMPLETED"))
		}
		produce(b, topic, records...)
		settle()
		raw := rawPublish(b, engine, benchMessages)
		settle()
		routed := route(b, db, engine, topic)
		rawTime += raw
		routerTime += routed
		rounds = append(rounds, fmt.Sprintf("%.0f/%.0f", rate(benchMessages, routed), rate(benchMessages, raw)))
	}
	total := benchRounds * benchMessages
	routerRate, rawRate := rate(total, routerTime), rate(total, rawTime)
	b.ReportMetric(routerRate, "router_msgs/s")
	b.ReportMetric(rawRate, "raw_msgs/s")
	b.ReportMetric(routerRate/rawRate, "router/raw")
	fmt.Printf("correlation router, %d rounds of %d messages, %d publishes in flight: router %.0f messages/s; raw PublishMessage %.0f messages/s "+
		"(router/raw per round: %s); ratio %.2f (target >= 0.8)\n",
		benchRounds, benchMessages, benchInFlight, routerRate, rawRate, strings.Join(rounds, ", "), routerRate/rawRate)
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// route runs a router over the topic until every record is correlated and returns the time from the
// first inbox look-up to the last inbox commit, so the consumer group's join is not counted.
func route(b *testing.B, db *pgxpool.Pool, engine zbc.Client, topic string) time.Duration {
	b.Helper()
	reader := correlation.NewReader(correlation.ReaderConfig{Brokers: []string{brokers()}, Topics: []string{topic},
		Group: "bench-" + randomSuffix(), SessionTimeout: 6 * time.Second})
	defer reader.Close()
	reg := prometheus.NewRegistry()
	router, err := correlation.New(correlation.Config{Concurrency: benchInFlight, MessageTTL: benchTTL}, reader, db, engine, zap.NewNop(), reg)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- router.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Minute)
	for metrictest.Sum(b, reg, "orderfleet_router_records_total") < benchMessages {
		if time.Now().After(deadline) {
			b.Fatalf("router finished %v of %d records", metrictest.Sum(b, reg, "orderfleet_router_records_total"), benchMessages)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if n := metrictest.Sum(b, reg, "orderfleet_router_records_total", "outcome", correlation.OutcomeCorrelated); n != benchMessages {
		b.Fatalf("%v records correlated, want %d", n, benchMessages)
	}
	var seconds float64
	if err := db.QueryRow(context.Background(), `select extract(epoch from max(processed_at) - min(received_at)) from inbox_event
		where source = $1`, "kafka:"+topic).Scan(&seconds); err != nil {
		b.Fatal(err)
	}
	return time.Duration(seconds * float64(time.Second))
}

package correlation_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/commands"
	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/correlation"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

// Run with -benchtime=1x: the benchmark is one fixed scenario that reports its own rates.

const (
	benchMessages = 3000
	benchInFlight = 32
	routerTarget  = 0.8 // the router's throughput target, as a share of raw PublishMessage
)

// unbufferedEngine publishes every message with TTL 0, whatever TTL the caller asked for. A
// buffered message costs the engine its expiry later, a TTL after the publish and in a burst once a
// minute, which lands in whatever phase (or later run) is under way then: the benchmark measured
// that instead of the router. With TTL 0 the engine publishes and expires a message in one step, so
// each phase pays for exactly its own messages. The router refuses a TTL of 0 for good reason
// (a result that arrives before its wait state would be lost), hence the wrapper; the router's own
// work does not depend on the TTL it sends.
type unbufferedEngine struct{ zbc.Client }

func (e unbufferedEngine) NewPublishMessageCommand() commands.PublishMessageCommandStep1 {
	return unbufferedName{e.Client.NewPublishMessageCommand()}
}

type unbufferedName struct {
	commands.PublishMessageCommandStep1
}

func (s unbufferedName) MessageName(name string) commands.PublishMessageCommandStep2 {
	return unbufferedKey{s.PublishMessageCommandStep1.MessageName(name)}
}

type unbufferedKey struct {
	commands.PublishMessageCommandStep2
}

func (s unbufferedKey) CorrelationKey(key string) commands.PublishMessageCommandStep3 {
	return unbufferedMessage{s.PublishMessageCommandStep2.CorrelationKey(key).TimeToLive(0)}
}

// unbufferedMessage keeps itself in the chain for the calls the router and rawPublish make.
type unbufferedMessage struct {
	commands.PublishMessageCommandStep3
}

func (s unbufferedMessage) TimeToLive(time.Duration) commands.PublishMessageCommandStep3 { return s }

func (s unbufferedMessage) MessageId(id string) commands.PublishMessageCommandStep3 {
	return unbufferedMessage{s.PublishMessageCommandStep3.MessageId(id)}
}

func (s unbufferedMessage) VariablesFromMap(vars map[string]any) (commands.PublishMessageCommandStep3, error) {
	c, err := s.PublishMessageCommandStep3.VariablesFromMap(vars)
	return unbufferedMessage{c}, err
}

// rawPublish sends the messages, benchInFlight at a time, and returns how long that took: the
// engine's own ceiling for what the router does.
func rawPublish(b *testing.B, engine zbc.Client, msgs []correlation.Message) time.Duration {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < benchInFlight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(len(msgs)); i = next.Add(1) {
				if err := publishOne(engine, msgs[i-1]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// benchEvents makes n task results as Kafka records for the router, the messages those resolve to,
// and the messages of n other task results for the raw side: both sides publish messages of the
// same name, key, id and variables shape, never with the same ids.
func benchEvents(b *testing.B, n int) (records []kafka.Message, routed, raw []correlation.Message) {
	var route correlation.Route
	for _, r := range correlation.Routes {
		if r.EventType == correlation.EventExternalTaskResultReceived {
			route = r
		}
	}
	resolve := func(e domain.Event) correlation.Message {
		m, err := route.Resolve(e)
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	for i := 0; i < n; i++ {
		e := taskResult("provisioning-adapter", "COMPLETED")
		records = append(records, record(b, e))
		routed = append(routed, resolve(e))
		raw = append(raw, resolve(taskResult("provisioning-adapter", "COMPLETED")))
	}
	return records, routed, raw
}

// publishOne publishes m the way rawPublish does, asking for TTL 0.
func publishOne(engine zbc.Client, m correlation.Message) error {
	cmd, err := engine.NewPublishMessageCommand().MessageName(m.Name).CorrelationKey(m.CorrelationKey).
		MessageId(m.MessageID).TimeToLive(0).VariablesFromMap(m.Variables)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = cmd.Send(ctx)
	return err
}

// requireUnbuffered fails the benchmark when the engine kept a message the router published, which
// would mean unbufferedEngine no longer sets TTL 0 and the run leaves its messages to expire later.
func requireUnbuffered(b *testing.B, engine zbc.Client, m correlation.Message) {
	if err := publishOne(engine, m); err != nil {
		b.Fatalf("publishing a routed message again: %v (the router's publish was buffered)", err)
	}
}

// benchRounds alternate raw and router phases; the rates are over all rounds. The engine's speed
// drifts during a run (JIT, Operate importing), and alternating spreads the drift over both sides.
// A warm-up round before them, not counted, takes the engine's JIT and the router's connections
// past their first seconds. Seven rounds, because one phase can lose a second to the engine's own
// housekeeping (a snapshot, an index merge): single rounds read anywhere from 0.5 to 1.2.
const benchRounds = 7

// settle starts each phase on a quiet machine (see waitForQuietMachine).
func settle(b *testing.B) {
	if waited, ok := waitForQuietMachine(); !ok {
		b.Logf("the machine did not go quiet within %s; this phase's figure is less trustworthy", waited)
	}
}

// BenchmarkRouterThroughput: the router (inbox dedupe on, 32 publishes in flight) against raw
// PublishMessage of the same kind of messages with unique ids and 32 in flight from the same
// process, in alternating rounds, each phase on a settled engine.
func BenchmarkRouterThroughput(b *testing.B) {
	_, dbURL := pgtest.NewDatabase(b)
	db, err := pgxpool.New(context.Background(), correlation.DatabaseURL(dbURL, benchInFlight))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	engine := unbufferedEngine{dialEngine(b)}
	var rawTime, routerTime time.Duration
	var rawCPU, routerCPU cpuUse
	var rounds []string
	var ratios []float64
	for round := 0; round <= benchRounds; round++ {
		n := benchMessages
		if round == 0 {
			n = benchMessages / 3 // warm-up
		}
		topic := newTopic(b, 3)
		records, routedMsgs, rawMsgs := benchEvents(b, n)
		produce(b, topic, records...)
		settle(b)
		cpu := readCPUUse()
		raw := rawPublish(b, engine, rawMsgs)
		rawUse := readCPUUse().since(cpu)
		settle(b)
		cpu = readCPUUse()
		routed := route(b, db, engine, topic, n)
		routerUse := readCPUUse().since(cpu)
		if round == 0 {
			requireUnbuffered(b, engine.Client, routedMsgs[0])
			continue
		}
		rawTime += raw
		routerTime += routed
		rawCPU.self += rawUse.self
		routerCPU.self += routerUse.self
		routerCPU.postgres += routerUse.postgres
		ratios = append(ratios, raw.Seconds()/routed.Seconds())
		rounds = append(rounds, fmt.Sprintf("%.0f/%.0f", rate(n, routed), rate(n, raw)))
	}
	total := benchRounds * benchMessages
	routerRate, rawRate := rate(total, routerTime), rate(total, rawTime)
	sort.Float64s(ratios)
	b.ReportMetric(routerRate, "router_msgs/s")
	b.ReportMetric(rawRate, "raw_msgs/s")
	b.ReportMetric(routerRate/rawRate, "router/raw")
	reached := 0
	for _, r := range ratios {
		if r >= routerTarget {
			reached++
		}
	}
	fmt.Printf("correlation router, %d rounds of %d messages, %d publishes in flight: router %.0f messages/s; raw PublishMessage %.0f messages/s "+
		"(router/raw per round: %s; rounds from %.2f to %.2f, median %.2f, %d of %d at or above %.1f); ratio %.2f (target >= %.1f)\n",
		benchRounds, benchMessages, benchInFlight, routerRate, rawRate, strings.Join(rounds, ", "), ratios[0], ratios[len(ratios)-1],
		ratios[len(ratios)/2], reached, len(ratios), routerTarget, routerRate/rawRate, routerTarget)
	// On a machine the engine shares, every microsecond the router spends is taken from the engine.
	perMessage := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(total) }
	fmt.Printf("CPU per message: raw PublishMessage client %.0f µs; router %.0f µs in its process + %.0f µs in PostgreSQL\n",
		perMessage(rawCPU.self), perMessage(routerCPU.self), perMessage(routerCPU.postgres))
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// route runs a router over the topic until every record is correlated and returns the time from the
// first inbox look-up to the last inbox commit, so the consumer group's join is not counted.
func route(b *testing.B, db *pgxpool.Pool, engine zbc.Client, topic string, n int) time.Duration {
	b.Helper()
	reader := correlation.NewReader(correlation.ReaderConfig{Brokers: []string{brokers()}, Topics: []string{topic},
		Group: "bench-" + randomSuffix(), SessionTimeout: 6 * time.Second})
	defer reader.Close()
	reg := prometheus.NewRegistry()
	router, err := correlation.New(correlation.Config{Concurrency: benchInFlight}, reader, db, engine, zap.NewNop(), reg)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- router.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Minute)
	for metrictest.Sum(b, reg, "orderfleet_router_records_total") < float64(n) {
		if time.Now().After(deadline) {
			b.Fatalf("router finished %v of %d records", metrictest.Sum(b, reg, "orderfleet_router_records_total"), n)
		}
		// Gathering the registry costs CPU the router competes for, and the phase is timed from the
		// inbox rows, not from this loop, so polling seldom loses nothing.
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	<-done
	if got := metrictest.Sum(b, reg, "orderfleet_router_records_total", "outcome", correlation.OutcomeCorrelated); got != float64(n) {
		b.Fatalf("%v records correlated, want %d", got, n)
	}
	var seconds float64
	if err := db.QueryRow(context.Background(), `select extract(epoch from max(processed_at) - min(received_at)) from inbox_event
		where source = $1`, "kafka:"+topic).Scan(&seconds); err != nil {
		b.Fatal(err)
	}
	return time.Duration(seconds * float64(time.Second))
}

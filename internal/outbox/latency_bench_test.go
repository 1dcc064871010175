package outbox_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/outbox"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

// BenchmarkRelayLatency: events committed one per transaction at 1,000/s for 10 s; latency is
// from the inserting transaction's commit returning to a consumer holding the record.
func BenchmarkRelayLatency(b *testing.B) {
	const rate, seconds = 1000, 10
	db, dbURL := pgtest.NewDatabase(b)
	big, err := pgxpool.New(context.Background(), dbURL+"&pool_max_conns=24")
	if err != nil {
		b.Fatal(err)
	}
	defer big.Close()
	topic := newTopic(b, 3)
	w := outbox.NewWriter(outbox.WriterConfig{Brokers: []string{brokers()}, Topic: topic})
	defer w.Close()
	relay, err := outbox.New(outbox.Config{}, db, w, zap.NewNop(), prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = relay.Run(ctx) }()

	var mu sync.Mutex
	committed, received := map[string]time.Time{}, map[string]time.Time{}
	reader := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{brokers()}, GroupID: "bench-" + randomSuffix(), MaxBytes: 10 << 20,
		GroupTopics: []string{topic}, StartOffset: kafka.FirstOffset, MinBytes: 1, MaxWait: 100 * time.Millisecond})
	defer reader.Close()
	go func() {
		for {
			m, err := reader.FetchMessage(ctx)
			if err != nil {
				return
			}
			at := time.Now()
			mu.Lock()
			received[header(m, outbox.HeaderEventID)] = at
			mu.Unlock()
		}
	}()
	warm := event(domain.NewUUID(), 0) // the consumer has joined its group once it sees this
	insertCommitted(b, db, warm)
	for {
		mu.Lock()
		_, ok := received[warm.EventID]
		mu.Unlock()
		if ok {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}

	aggs := make([]string, 200)
	for i := range aggs {
		aggs[i] = domain.NewUUID()
	}
	total := rate * seconds
	var next atomic.Int64
	begin := time.Now()
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < total; i = int(next.Add(1)) - 1 {
				time.Sleep(time.Until(begin.Add(time.Duration(i) * time.Second / rate)))
				e := benchEvent(i, aggs)
				if _, err := big.Exec(context.Background(), insertSQL, insertArgs(b, e)...); err != nil {
					b.Error(err)
					return
				}
				at := time.Now()
				mu.Lock()
				committed[e.EventID] = at
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	achieved := float64(total) / time.Since(begin).Seconds()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(received)
		mu.Unlock()
		if n >= total+1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	lat := make([]time.Duration, 0, total)
	for id, c := range committed {
		if r, ok := received[id]; ok {
			lat = append(lat, max(r.Sub(c), 0))
		}
	}
	if len(lat) != total {
		b.Fatalf("%d of %d events reached the consumer", len(lat), total)
	}
	slices.Sort(lat)
	p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	b.ReportMetric(float64(p(0.50).Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99_ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max_ms")
	fmt.Printf("outbox relay latency at %.0f events/s (one transaction each, %d events): commit->consumer p50 %s, p99 %s, max %s (target p99 < 100ms)\n",
		achieved, total, p(0.50).Round(100*time.Microsecond), p(0.99).Round(100*time.Microsecond), lat[len(lat)-1].Round(100*time.Microsecond))
}

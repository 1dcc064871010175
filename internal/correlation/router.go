// Package correlation is the one door from Kafka into the engine: it turns the OMS's fulfillment
// facts into Zeebe messages, one per eventId.
//
// Per record: validate the envelope; if its event type has a route, look the eventId up in the inbox
// (one already PROCESSED stops here), publish the message with messageId = eventId and a TTL, then
// record the correlation and the inbox row as PROCESSED in one commit — and only then let the Kafka
// offset move past it. No transaction is held open across the engine call, and the look-ups and
// commits of records handled at the same time are batched. A crash anywhere repeats at most the
// publish, which the engine drops as ALREADY_EXISTS while the first message is still buffered: only
// a router that stays down longer than the message TTL between that publish and its commit could get
// a second message through.
//
// Records run on 2×Concurrency workers, at most Concurrency of them publishing at a time, so the
// engine stays busy while the others are at the inbox; a record whose Kafka key is already being
// handled waits behind it, so one key's records keep their order, and offsets are committed only up
// to the first unfinished record of a partition.
package correlation

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/pollloop"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// Consumer is what the router needs from Kafka; a *kafka.Reader in a consumer group is the real one.
type Consumer interface {
	FetchMessage(ctx context.Context) (kafka.Message, error)
	CommitMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Config tunes the router.
type Config struct {
	Consumer       string        // inbox consumer name; one inbox per consumer
	Concurrency    int           // engine publishes in flight; four times as many records are handled at once
	MessageTTL     time.Duration // how long the engine buffers a message no process waits for yet
	CallTimeout    time.Duration // bound on one engine call
	CommitInterval time.Duration // how often finished offsets are committed
	MaxBackoff     time.Duration
	Routes         []Route // nil means the contract in Routes
}

func (c *Config) setDefaults() {
	if c.Consumer == "" {
		c.Consumer = "correlation-router"
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 32
	}
	if c.MessageTTL <= 0 {
		c.MessageTTL = time.Hour
	}
	if c.CallTimeout <= 0 {
		c.CallTimeout = 5 * time.Second
	}
	if c.CommitInterval <= 0 {
		c.CommitInterval = 200 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.Routes == nil {
		c.Routes = Routes
	}
}

// Validate rejects settings the router cannot run with.
func (c Config) Validate() error {
	if c.Concurrency > 1024 {
		return fmt.Errorf("concurrency %d: at most 1024", c.Concurrency)
	}
	if len(c.Consumer) > 128 {
		return fmt.Errorf("consumer name longer than 128 characters")
	}
	return nil
}

// Router consumes fulfillment events and publishes the routed ones to the engine.
type Router struct {
	cfg      Config
	consumer Consumer
	db       *pgxpool.Pool
	engine   zbc.Client
	log      *zap.Logger
	m        *metrics
	routes   map[string]Route
	offsets  *offsets
	// publishing bounds the engine calls in flight to Concurrency.
	publishing chan struct{}
	checks     *groupCommit[*inboxCheck]
	finishes   *groupCommit[*inboxFinish]
}

// New builds a router and registers its metrics.
func New(cfg Config, consumer Consumer, db *pgxpool.Pool, engine zbc.Client, log *zap.Logger, reg prometheus.Registerer) (*Router, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	r := &Router{
		cfg: cfg, consumer: consumer, db: db, engine: engine, log: log,
		m: newMetrics(reg), routes: routeTable(cfg.Routes), offsets: newOffsets(),
		publishing: make(chan struct{}, cfg.Concurrency),
	}
	// A batch never holds more records than there are workers to wait for it.
	// Look-ups are reads and go at once; a commit waits a moment for company, because each commit
	// costs the database a WAL flush whatever it holds, and a record waits far longer on the engine.
	r.checks = newGroupCommit(r.workers(), 0, cfg.CallTimeout, r.checkInbox)
	r.finishes = newGroupCommit(r.workers(), commitLinger, cfg.CallTimeout, r.writeFinishes)
	return r, nil
}

// Run consumes until ctx ends. Records being handled then are finished; waiting ones are left
// uncommitted for whoever owns the partition next; finished offsets are committed one last time.
func (r *Router) Run(ctx context.Context) error {
	stopInbox := make(chan struct{})
	go r.checks.run(stopInbox)
	go r.finishes.run(stopInbox)
	d := newDispatcher(r.cfg.Concurrency * 32)
	var wg sync.WaitGroup
	for i := 0; i < r.workers(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w := range d.ready {
				// Run the record, then the records of its key that queued up behind it.
				for more := true; more; w, more = d.finished(w) {
					if ctx.Err() == nil && r.process(ctx, w.msg) {
						r.offsets.finish(w.rec)
					}
					r.m.inFlight.Dec()
				}
			}
		}()
	}
	stopCommits, commitsDone := make(chan struct{}), make(chan struct{})
	go r.commitLoop(stopCommits, commitsDone)

	r.fetch(ctx, d)
	close(d.ready)
	wg.Wait()
	close(stopInbox) // the workers are done with the inbox
	close(stopCommits)
	<-commitsDone
	return nil
}

// commitLinger is how long a commit of fewer records than workers waits for more. A commit's WAL
// flush costs the database more than the rows in it; a record spends longer than this on the engine.
const commitLinger = 10 * time.Millisecond

// workers is how many records are handled at once: four per publish slot. A record spends about as
// long on its inbox look-up and commit (the commit's linger, the batch ahead of it) as on the engine;
// with two per slot every slot was busy only ~76% of the time under load, with four ~94%.
func (r *Router) workers() int { return 4 * r.cfg.Concurrency }

func (r *Router) fetch(ctx context.Context, d *dispatcher) {
	for failures := 0; ctx.Err() == nil; {
		m, err := r.consumer.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			r.m.failures.WithLabelValues("kafka_fetch").Inc()
			delay := zeebe.Backoff(failures, 100*time.Millisecond, r.cfg.MaxBackoff)
			r.log.Warn("kafka fetch failed; backing off", zap.Duration("backoff", delay), zap.Error(err))
			pollloop.Sleep(ctx, delay)
			continue
		}
		failures = 0
		r.m.received.Inc()
		r.m.inFlight.Inc()
		if !d.submit(ctx.Done(), newWork(m, r.offsets.add(m))) {
			r.m.inFlight.Dec()
			return
		}
	}
}

// commitLoop commits finished offsets every CommitInterval and once more when stopped. A failed
// commit is kept and retried; a record is then at worst delivered again, which the inbox absorbs.
func (r *Router) commitLoop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	pending := map[partitionID]kafka.Message{}
	flush := func() {
		for _, m := range r.offsets.committable() {
			id := partitionID{m.Topic, m.Partition}
			if old, ok := pending[id]; !ok || m.Offset > old.Offset {
				pending[id] = m
			}
		}
		if len(pending) > 0 {
			msgs := make([]kafka.Message, 0, len(pending))
			for _, m := range pending {
				msgs = append(msgs, m)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := r.consumer.CommitMessages(ctx, msgs...)
			cancel()
			if err != nil {
				r.m.failures.WithLabelValues("kafka_commit").Inc()
				r.log.Warn("kafka offset commit failed; will retry", zap.Error(err))
			} else {
				r.offsets.committed(msgs)
				clear(pending)
			}
		}
		for id, l := range r.offsets.lag() {
			r.m.lag.WithLabelValues(id.topic, fmt.Sprint(id.partition)).Set(float64(l))
		}
	}
	t := time.NewTicker(r.cfg.CommitInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			flush()
		case <-stop:
			flush()
			return
		}
	}
}

// Package outbox publishes the OMS's committed facts (outbox_event rows) to Kafka, at least once, in
// position order.
//
// Only one relay publishes at a time: each replica tries pg_try_advisory_lock on a dedicated session,
// and the one that holds it leads while the others stand by and retry. A single publisher is what
// keeps per-key order; claiming rows with SKIP LOCKED would let two replicas publish one key's events
// in either order.
//
// The relay keeps a cursor instead of marking rows: each batch Kafka acknowledged becomes one
// outbox_publication row, and the rows up to outbox_published_through() are published. The horizon
// (horizon.go) keeps the cursor from passing a row a transaction has yet to commit. By default the
// rows stay as evidence, for as long as Retain says (retention.go); DeletePublished removes each
// batch's rows in the statement that records it.
package outbox

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/pollloop"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// LockKey is the advisory lock that elects the publishing replica. Advisory locks are per database,
// so relays of different OMS databases never contend.
const LockKey int64 = 0x6f7574626f78 // "outbox"

// KeySource names what the Kafka record key is made of.
type KeySource string

const (
	// KeyAggregateID keys each record by the envelope's aggregateId: one aggregate's events share a
	// partition and keep their order, whichever order touched the aggregate.
	KeyAggregateID KeySource = "aggregate-id"
	// KeyMessageKey uses the stored message_key (tenantId:orderId when the payload names an order):
	// one order's events share a partition, but an aggregate touched by two orders (an installed-base
	// asset) may then be split across partitions.
	KeyMessageKey KeySource = "message-key"
)

// Producer is what the relay needs from Kafka; *kafka.Writer is the production one.
type Producer interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// DefaultBatchSize is the rows per round: every round costs a read, a record and an acknowledged
// produce, so fewer, larger rounds move a backlog faster; a quiet outbox still relays small rounds.
// With envelopes of about 700 bytes a full batch holds some 8 MB, and at most three are in memory.
const DefaultBatchSize = 8000

// Config tunes the relay.
type Config struct {
	BatchSize      int           // rows read and published per round
	PollInterval   time.Duration // pause after a round that found nothing
	LockRetry      time.Duration // how often a standby replica tries to become the publisher
	LagInterval    time.Duration // how often the lag gauges are refreshed
	PublishTimeout time.Duration // bound on one Kafka write, also while draining at shutdown
	MaxBackoff     time.Duration
	Key            KeySource
	// DeletePublished deletes rows once Kafka has them instead of keeping them. It keeps the table
	// small without a retention job, and keeps nothing in the OMS to replay from or show in a timeline.
	DeletePublished bool
	// Retain is how long published rows are kept when they are not deleted at once; 0 keeps them.
	Retain time.Duration
	// PruneInterval is how often the publisher deletes rows past Retain.
	PruneInterval time.Duration
}

func (c *Config) setDefaults() {
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 20 * time.Millisecond
	}
	if c.LockRetry <= 0 {
		c.LockRetry = 2 * time.Second
	}
	if c.LagInterval <= 0 {
		c.LagInterval = 5 * time.Second
	}
	if c.PublishTimeout <= 0 {
		c.PublishTimeout = 30 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.Key == "" {
		c.Key = KeyAggregateID
	}
	if c.PruneInterval <= 0 {
		c.PruneInterval = time.Minute
	}
}

// Validate rejects settings the relay cannot run with.
func (c Config) Validate() error {
	if c.Key != "" && c.Key != KeyAggregateID && c.Key != KeyMessageKey {
		return fmt.Errorf("kafka key %q: want %s or %s", c.Key, KeyAggregateID, KeyMessageKey)
	}
	if c.BatchSize > 10000 {
		return fmt.Errorf("batch size %d: at most 10000", c.BatchSize)
	}
	if c.Retain < 0 {
		return fmt.Errorf("retain %s: want 0 (keep) or a positive duration", c.Retain)
	}
	if c.Retain > 0 && c.DeletePublished {
		return fmt.Errorf("retain %s: rows deleted on publish are not retained; use one or the other", c.Retain)
	}
	return nil
}

// Relay moves outbox rows to Kafka.
type Relay struct {
	cfg      Config
	db       *pgxpool.Pool
	producer Producer
	log      *zap.Logger
	m        *metrics
	horizon  horizon // used by one reading goroutine at a time
	leading  atomic.Bool
}

// New builds a relay and registers its metrics.
func New(cfg Config, db *pgxpool.Pool, producer Producer, log *zap.Logger, reg prometheus.Registerer) (*Relay, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	return &Relay{cfg: cfg, db: db, producer: producer, log: log, m: newMetrics(reg)}, nil
}

// Run publishes until ctx ends: it waits to become the publisher, relays while it holds the lock, and
// starts over if the session is lost. A batch under way when ctx ends is finished, not abandoned.
func (r *Relay) Run(ctx context.Context) error {
	go r.watchLag(ctx)
	go r.pruneWhileLeading(ctx)
	for attempt := 0; ctx.Err() == nil; {
		conn, err := r.becomeLeader(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			attempt++
			delay := zeebe.Backoff(attempt, 250*time.Millisecond, r.cfg.MaxBackoff)
			r.log.Warn("outbox relay cannot take the publisher lock; backing off", zap.Duration("backoff", delay), zap.Error(err))
			pollloop.Sleep(ctx, delay)
			continue
		}
		attempt = 0
		r.m.leader.Set(1)
		r.leading.Store(true)
		r.log.Info("outbox relay is the publisher")
		err = r.lead(ctx, conn)
		r.leading.Store(false)
		r.m.leader.Set(0)
		// Closing the session releases the advisory lock, so a standby can take over at once.
		_ = conn.Close(context.Background())
		if err != nil && ctx.Err() == nil {
			r.log.Warn("outbox relay lost its database session; standing down", zap.Error(err))
			pollloop.Sleep(ctx, r.cfg.PollInterval)
		}
	}
	return nil
}

// becomeLeader returns a session holding the advisory lock, polling until it gets it or ctx ends.
// The session is taken out of the pool so the lock can never leak to another user of the pool.
func (r *Relay) becomeLeader(ctx context.Context) (*pgx.Conn, error) {
	for {
		pooled, err := r.db.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		conn := pooled.Hijack()
		var got bool
		if err := conn.QueryRow(ctx, "select pg_try_advisory_lock($1)", LockKey).Scan(&got); err != nil {
			_ = conn.Close(context.Background())
			return nil, err
		}
		if got {
			return conn, nil
		}
		_ = conn.Close(context.Background())
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(r.cfg.LockRetry):
		}
	}
}

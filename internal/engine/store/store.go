// Package store is the engine's PostgreSQL side: migrations, the command service (one
// transaction per command around the runtime), jobs, messages, timers, leadership and the read
// queries. See internal/engine/DESIGN.md.
package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// Config wires a Store.
type Config struct {
	Pool            *pgxpool.Pool
	Log             *zap.Logger
	ClockControlled bool
	Metrics         *Metrics // nil: a private, unregistered set
}

// Store runs commands against the engine database. It is safe for concurrent use.
type Store struct {
	pool    *pgxpool.Pool
	log     *zap.Logger
	keys    keyAllocator
	clock   *Clock
	metrics *Metrics

	defsMu sync.RWMutex
	defs   map[int64]*runtime.Definition

	jobSignals  broadcast[string] // parked ActivateJobs requests, by job type
	notifier    jobNotifier
	completes   completeBatcher
	endWaiters  broadcast[int64] // CreateProcessInstanceWithResult requests, by instance key
	leaderWake  chan struct{}
	bgWG        sync.WaitGroup
	pendingWG   sync.WaitGroup
	closeOnce   sync.Once
	stopPending chan struct{}
	leading     atomic.Bool
}

// New builds a Store over a migrated database and reads the engine clock.
func New(ctx context.Context, cfg Config) (*Store, error) {
	log := cfg.Log
	if log == nil {
		log = zap.NewNop()
	}
	m := cfg.Metrics
	if m == nil {
		m = NewMetrics(nil)
	}
	s := &Store{
		pool:        cfg.Pool,
		log:         log,
		keys:        keyAllocator{pool: cfg.Pool},
		clock:       newClock(cfg.Pool, cfg.ClockControlled),
		metrics:     m,
		defs:        map[int64]*runtime.Definition{},
		leaderWake:  make(chan struct{}, 1),
		stopPending: make(chan struct{}),
	}
	s.jobSignals.init()
	s.notifier.init()
	s.endWaiters.init()
	s.clock.onChange = s.wakeLeader
	if _, err := s.clock.Refresh(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Clock is the engine clock.
func (s *Store) Clock() *Clock { return s.clock }

// Pool is the database pool (the read API queries it).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Metrics are the store's Prometheus collectors.
func (s *Store) Metrics() *Metrics { return s.metrics }

// NewKey hands out a fresh engine key.
func (s *Store) NewKey(ctx context.Context) (int64, error) { return s.keys.newKey(ctx) }

// Wait lets in-flight follow-up work (pending commands started after a commit) finish.
func (s *Store) Wait() { s.pendingWG.Wait() }

func (s *Store) wakeLeader() {
	select {
	case s.leaderWake <- struct{}{}:
	default:
	}
}

// broadcast hands out, per key, a channel that the next signal for that key closes: every waiter
// of the key wakes at once and the following wait gets a fresh channel.
type broadcast[K comparable] struct {
	mu sync.Mutex
	ch map[K]chan struct{}
}

func (b *broadcast[K]) init() { b.ch = map[K]chan struct{}{} }

// wait returns a channel closed at the next signal for key.
func (b *broadcast[K]) wait(key K) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.ch[key]
	if !ok {
		c = make(chan struct{})
		b.ch[key] = c
	}
	return c
}

// forget drops key's channel without closing it (its waiters gave up).
func (b *broadcast[K]) forget(key K) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.ch, key)
}

func (b *broadcast[K]) signal(key K) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.ch[key]; ok {
		close(c)
		delete(b.ch, key)
	}
}

// JobsAvailable returns a channel closed when a job of jobType may have become activatable.
func (s *Store) JobsAvailable(jobType string) <-chan struct{} { return s.jobSignals.wait(jobType) }

// SignalJobs wakes waiters for jobType (a NOTIFY from another engine process).
func (s *Store) SignalJobs(jobType string) { s.jobSignals.signal(jobType) }

func millis(t time.Time) int64 { return t.UnixMilli() }

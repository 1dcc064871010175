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

	jobSignals  jobSignals
	endWaiters  endWaiters
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

// jobSignals wakes parked ActivateJobs requests when a job of their type is created.
type jobSignals struct {
	mu sync.Mutex
	ch map[string]chan struct{}
}

func (j *jobSignals) init() { j.ch = map[string]chan struct{}{} }

// Wait returns a channel closed at the next signal for jobType.
func (j *jobSignals) wait(jobType string) <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	c, ok := j.ch[jobType]
	if !ok {
		c = make(chan struct{})
		j.ch[jobType] = c
	}
	return c
}

func (j *jobSignals) signal(jobType string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if c, ok := j.ch[jobType]; ok {
		close(c)
		delete(j.ch, jobType)
	}
}

// JobsAvailable returns a channel closed when a job of jobType may have become activatable.
func (s *Store) JobsAvailable(jobType string) <-chan struct{} { return s.jobSignals.wait(jobType) }

// SignalJobs wakes waiters for jobType (a NOTIFY from another engine process).
func (s *Store) SignalJobs(jobType string) { s.jobSignals.signal(jobType) }

// endWaiters wakes CreateProcessInstanceWithResult requests when their instance ends.
type endWaiters struct {
	mu sync.Mutex
	ch map[int64]chan struct{}
}

func (e *endWaiters) init() { e.ch = map[int64]chan struct{}{} }

func (e *endWaiters) wait(key int64) <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.ch[key]
	if !ok {
		c = make(chan struct{})
		e.ch[key] = c
	}
	return c
}

func (e *endWaiters) forget(key int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.ch, key)
}

func (e *endWaiters) signal(key int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.ch[key]; ok {
		close(c)
		delete(e.ch, key)
	}
}

func millis(t time.Time) int64 { return t.UnixMilli() }

package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// Store is the entry point to the OMS tables.
type Store struct {
	pool  *pgxpool.Pool
	newID func() string
}

// New wraps a pool. Ids of audit entries, events and attempts that the
// domain left empty are random UUIDs.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, newID: domain.NewUUID}
}

// Pool returns the underlying pool for callers with their own queries.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Do runs fn inside one transaction. Aggregates loaded or added through the
// Tx are written back when fn returns nil, each guarded by its version,
// together with their pending audit entries and outbox events; then the
// transaction commits and the aggregates' versions advance. If fn or any
// write fails, nothing is stored and the error is returned: the in-memory
// aggregates are then stale and must be reloaded, not reused.
func (s *Store) Do(ctx context.Context, fn func(*Tx) error) error {
	pgtx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return mapError("begin", err)
	}
	defer pgtx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	tx := &Tx{ctx: ctx, tx: pgtx, store: s}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.flush(); err != nil {
		return err
	}
	if err := pgtx.Commit(ctx); err != nil {
		return mapError("commit", err)
	}
	tx.afterCommit()
	return nil
}

// RetryOnConflict runs op until it succeeds, fails with something other
// than a conflict, or attempts run out. op must reload its aggregates on
// every run (Store.Update* methods do), and must not call external systems.
func RetryOnConflict(ctx context.Context, attempts int, op func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = op(); err == nil || !domain.IsConflict(err) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

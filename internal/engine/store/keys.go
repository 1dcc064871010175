package store

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// partitionPrefix puts partition 1 in the top bits of every key, as Zeebe does.
const partitionPrefix = int64(1) << 51

// keyBlockSize matches the sequence's INCREMENT: one nextval reserves this many keys.
const keyBlockSize = 100

// keyAllocator hands out keys from blocks reserved with one nextval each. A crash loses the rest
// of a block, never reuses a key.
type keyAllocator struct {
	pool *pgxpool.Pool
	mu   sync.Mutex
	next int64 // next key to hand out
	end  int64 // one past the last key of the block
}

// querier runs a query: the pool, or the connection of a command already in a transaction (a
// command must never wait for a second pooled connection, or a full pool deadlocks).
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (k *keyAllocator) newKey(ctx context.Context) (int64, error) { return k.newKeyOn(ctx, k.pool) }

func (k *keyAllocator) newKeyOn(ctx context.Context, q querier) (int64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.next >= k.end {
		var start int64
		if err := q.QueryRow(ctx, `SELECT nextval('engine_key_seq')`).Scan(&start); err != nil {
			return 0, err
		}
		k.next, k.end = partitionPrefix+start, partitionPrefix+start+keyBlockSize
	}
	key := k.next
	k.next++
	return key, nil
}

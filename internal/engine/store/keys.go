package store

import (
	"context"
	"sync"

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

func (k *keyAllocator) newKey(ctx context.Context) (int64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.next >= k.end {
		var start int64
		if err := k.pool.QueryRow(ctx, `SELECT nextval('engine_key_seq')`).Scan(&start); err != nil {
			return 0, err
		}
		k.next, k.end = partitionPrefix+start, partitionPrefix+start+keyBlockSize
	}
	key := k.next
	k.next++
	return key, nil
}

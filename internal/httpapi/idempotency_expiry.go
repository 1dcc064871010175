package httpapi

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/pollloop"
)

// KeyExpiry deletes Idempotency-Keys older than their retention, so api_idempotency stops growing
// with every POST. A retry with an expired key runs the request again, hence a retention far longer
// than any client retries for. Every oms-api replica runs one: each takes the oldest keys a chunk at
// a time and skips the rows another replica holds, so they share the work without waiting.
type KeyExpiry struct {
	db        *pgxpool.Pool
	retention time.Duration
	interval  time.Duration
	chunk     int
	log       *zap.Logger
	expired   prometheus.Counter
}

// NewKeyExpiry registers orderfleet_api_idempotency_keys_expired_total. A retention of 0 keeps keys.
func NewKeyExpiry(db *pgxpool.Pool, retention, interval time.Duration, log *zap.Logger, reg prometheus.Registerer) (*KeyExpiry, error) {
	if interval <= 0 {
		interval = 10 * time.Minute
	}
	e := &KeyExpiry{db: db, retention: retention, interval: interval, chunk: 1000, log: log,
		expired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "orderfleet_api_idempotency_keys_expired_total",
			Help: "Idempotency-Keys deleted because they were older than the retention.",
		})}
	if reg != nil {
		if err := reg.Register(e.expired); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// expireChunk is ordered by created_at so it walks api_idempotency_created_idx from its old end.
const expireChunk = `
	with expired as (
		select tenant_id, idempotency_key from api_idempotency
		where created_at < now() - make_interval(secs => $1)
		order by created_at
		limit $2
		for update skip locked)
	delete from api_idempotency a using expired e
	where a.tenant_id = e.tenant_id and a.idempotency_key = e.idempotency_key`

// ExpireChunk deletes up to one chunk of keys past the retention and says how many it deleted.
func (e *KeyExpiry) ExpireChunk(ctx context.Context) (int, error) {
	if e.retention <= 0 {
		return 0, nil
	}
	tag, err := e.db.Exec(ctx, expireChunk, e.retention.Seconds(), e.chunk)
	if err != nil {
		return 0, fmt.Errorf("expire idempotency keys: %w", err)
	}
	n := int(tag.RowsAffected())
	e.expired.Add(float64(n))
	return n, nil
}

// Run expires keys until ctx ends: chunk after chunk while there are any, then every interval.
func (e *KeyExpiry) Run(ctx context.Context) {
	if e.retention <= 0 {
		return
	}
	_ = pollloop.Run(ctx, e.log, "expiring idempotency keys", e.interval, 5*time.Minute, e.ExpireChunk)
}

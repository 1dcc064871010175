// Package startrelay turns committed start intents (workflow_start_request rows) into process
// instances. The OMS writes the intent in the same transaction as the plan; this relay is the only
// place that starts order-fulfillment-v1, so a crash anywhere loses no start.
//
// Exactly-once execution does not rest on the relay: if it dies after the engine created an
// instance but before the key was stored, the row is retried and a second instance starts. The
// first load-fulfillment-plan job to claim the plan's execution wins; the other instance is told
// planValid=false and ends at "Not executed by this instance", recorded in the timeline.
package startrelay

import (
	"context"
	"fmt"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/failpoint"
	"github.com/orderfleet/orderfleet/internal/pollloop"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// SchemaVersion is the version of the variable contract the relay starts instances with.
const SchemaVersion = 1

// Config tunes the relay.
type Config struct {
	BatchSize    int
	PollInterval time.Duration
	MaxBackoff   time.Duration
	CallTimeout  time.Duration
}

func (c *Config) setDefaults() {
	if c.BatchSize <= 0 {
		c.BatchSize = 16
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 250 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = time.Minute
	}
	if c.CallTimeout <= 0 {
		c.CallTimeout = 10 * time.Second
	}
}

// Relay claims pending start requests and starts their instances.
type Relay struct {
	cfg     Config
	db      *pgxpool.Pool
	engine  zbc.Client
	log     *zap.Logger
	started *prometheus.CounterVec
}

// New builds a relay and registers its metrics.
func New(cfg Config, db *pgxpool.Pool, engine zbc.Client, log *zap.Logger, reg prometheus.Registerer) *Relay {
	cfg.setDefaults()
	r := &Relay{cfg: cfg, db: db, engine: engine, log: log}
	r.started = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "fulfillment_process_started_total",
		Help: "Start requests relayed to the engine, by result (started, retry).",
	}, []string{"result"})
	reg.MustRegister(r.started)
	return r
}

// Run relays until ctx ends. Engine or database trouble backs off; no request is dropped.
func (r *Relay) Run(ctx context.Context) error {
	return pollloop.Run(ctx, r.log, "start relay batch", r.cfg.PollInterval, r.cfg.MaxBackoff, r.RelayBatch)
}

type startRequest struct {
	ID                string
	TenantID          string
	OrderID           string
	FulfillmentPlanID string
	ProcessID         string
	BusinessKey       string
	Attempts          int
}

// RelayBatch claims up to BatchSize due requests (SKIP LOCKED, so replicas share the work), starts
// each instance, and records the outcome in the same transaction as the claim.
func (r *Relay) RelayBatch(ctx context.Context) (int, error) {
	tx, err := r.db.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	rows, err := tx.Query(ctx, `
		select id::text, tenant_id, order_id::text, fulfillment_plan_id::text, process_id, business_key, attempts
		from workflow_start_request
		where status = 'PENDING' and next_attempt_at <= now()
		order by next_attempt_at, created_at
		limit $1
		for update skip locked`, r.cfg.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("claim start requests: %w", err)
	}
	requests, err := pgx.CollectRows(rows, pgx.RowToStructByPos[startRequest])
	if err != nil {
		return 0, fmt.Errorf("read start requests: %w", err)
	}
	for i, req := range requests {
		key, startErr := r.start(ctx, req)
		if startErr != nil {
			if err := r.postpone(ctx, tx, req, startErr); err != nil {
				return i, err
			}
			if zeebe.IsBackpressure(startErr) {
				break // the engine is down or overloaded: leave the rest for the next batch
			}
			continue
		}
		// A crash here leaves an instance the OMS does not know about; the plan claim makes it harmless.
		failpoint.Crash("startrelay-after-create")
		if err := r.markStarted(ctx, tx, req, key); err != nil {
			return i, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return len(requests), nil
}

func (r *Relay) start(ctx context.Context, req startRequest) (int64, error) {
	callCtx, cancel := context.WithTimeout(ctx, r.cfg.CallTimeout)
	defer cancel()
	cmd, err := r.engine.NewCreateInstanceCommand().BPMNProcessId(req.ProcessID).LatestVersion().
		VariablesFromMap(map[string]any{
			"schemaVersion":     SchemaVersion,
			"tenantId":          req.TenantID,
			"orderId":           req.OrderID,
			"fulfillmentPlanId": req.FulfillmentPlanID,
			"businessKey":       req.BusinessKey,
			"correlationId":     req.ID,
		})
	if err != nil {
		return 0, err
	}
	resp, err := cmd.Send(callCtx)
	if err != nil {
		return 0, err
	}
	return resp.GetProcessInstanceKey(), nil
}

func (r *Relay) markStarted(ctx context.Context, tx pgx.Tx, req startRequest, key int64) error {
	_, err := tx.Exec(ctx, `
		update workflow_start_request
		set status = 'STARTED', process_instance_key = $2, started_at = now(), attempts = attempts + 1, last_error = null
		where id = $1`, req.ID, fmt.Sprint(key))
	if err != nil {
		return fmt.Errorf("mark request %s started: %w", req.ID, err)
	}
	// The plan's claimant may already have written the ref (after a relay crash); its key wins.
	_, err = tx.Exec(ctx, `
		insert into order_workflow_ref (tenant_id, order_id, fulfillment_plan_id, process_id, process_instance_key, status, started_at)
		values ($1, $2, $3, $4, $5, 'STARTED', now())
		on conflict (tenant_id, order_id, fulfillment_plan_id) do nothing`,
		req.TenantID, req.OrderID, req.FulfillmentPlanID, req.ProcessID, fmt.Sprint(key))
	if err != nil {
		return fmt.Errorf("record workflow ref for %s: %w", req.BusinessKey, err)
	}
	r.started.WithLabelValues("started").Inc()
	r.log.Info("process instance started", zap.String("tenantId", req.TenantID), zap.String("orderId", req.OrderID),
		zap.String("fulfillmentPlanId", req.FulfillmentPlanID), zap.Int64("processInstanceKey", key))
	return nil
}

func (r *Relay) postpone(ctx context.Context, tx pgx.Tx, req startRequest, cause error) error {
	delay := zeebe.Backoff(req.Attempts, time.Second, r.cfg.MaxBackoff)
	_, err := tx.Exec(ctx, `
		update workflow_start_request
		set attempts = attempts + 1, last_error = $2, next_attempt_at = now() + $3::interval
		where id = $1`, req.ID, truncate(cause.Error(), 2000), fmt.Sprintf("%d milliseconds", delay.Milliseconds()))
	if err != nil {
		return fmt.Errorf("postpone request %s: %w", req.ID, err)
	}
	r.started.WithLabelValues("retry").Inc()
	r.log.Warn("could not start process instance; will retry", zap.String("orderId", req.OrderID),
		zap.Int("attempt", req.Attempts+1), zap.Duration("retryIn", delay), zap.Error(cause))
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

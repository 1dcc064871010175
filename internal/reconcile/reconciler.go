// Package reconcile compares the OMS with the engine and the outbox and records where they
// diverge (seed 000 §24, §29): live orders without a running instance, instances still running
// for ended or cancelled orders, failed tasks nobody repairs, tasks stuck past their timeout, and
// events the outbox relay left behind. Instance state comes from the engine's read API, never from our own
// workflow tables, which only say where to look.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/pollloop"
)

// Reconciler runs reconciliation passes and records their findings.
type Reconciler struct {
	cfg    Config
	db     *pgxpool.Pool
	engine Engine
	log    *zap.Logger
	m      *metrics
}

// New builds a reconciler and registers its metrics on reg.
func New(cfg Config, db *pgxpool.Pool, engine Engine, log *zap.Logger, reg prometheus.Registerer) *Reconciler {
	cfg.setDefaults()
	return &Reconciler{cfg: cfg, db: db, engine: engine, log: log, m: newMetrics(reg)}
}

// Report is the outcome of one pass.
type Report struct {
	// Findings are the divergences this pass saw, as recorded (ids and first_seen filled in).
	Findings []Finding `json:"findings"`
	Opened   int       `json:"opened"`
	Resolved int       `json:"resolved"`
	// Failed names the checks that could not finish; their kinds were not resolved this pass.
	Failed []string `json:"failed,omitempty"`
}

type check struct {
	name  string
	kinds []domain.DivergenceKind
	run   func(context.Context) ([]Finding, error)
}

func (r *Reconciler) checks() []check {
	return []check{
		{"orders", orderKinds, r.checkOrders},
		{"failed-tasks", []domain.DivergenceKind{domain.DivergenceFailedTaskNotInRepair}, r.checkFailedTasks},
		{"stuck-tasks", []domain.DivergenceKind{domain.DivergenceTaskStuckPastTimeout}, r.checkStuckTasks},
		{"outbox", []domain.DivergenceKind{domain.DivergenceOutboxUnpublished}, r.checkOutbox},
	}
}

// Pass runs every check once and records the result. A check that fails keeps what it found so
// far but resolves nothing, so an engine API outage never looks like every divergence healing.
func (r *Reconciler) Pass(ctx context.Context) (Report, error) {
	var rep Report
	var found []Finding
	var checked []domain.DivergenceKind
	var errs []error
	for _, c := range r.checks() {
		f, err := c.run(ctx)
		found = append(found, f...)
		if err != nil {
			rep.Failed = append(rep.Failed, c.name)
			errs = append(errs, fmt.Errorf("%s check: %w", c.name, err))
			r.m.errors.WithLabelValues(c.name).Inc()
			continue
		}
		checked = append(checked, c.kinds...)
	}
	opened, resolved, err := r.record(ctx, found, checked)
	if err != nil {
		r.m.runs.WithLabelValues("error").Inc()
		return rep, errors.Join(append(errs, fmt.Errorf("record findings: %w", err))...)
	}
	r.m.lastRun.SetToCurrentTime()
	for k, n := range opened {
		rep.Opened += n
		r.m.opened.WithLabelValues(string(k)).Add(float64(n))
	}
	for k, n := range resolved {
		rep.Resolved += n
		r.m.resolved.WithLabelValues(string(k)).Add(float64(n))
	}
	if err := r.refreshGauge(ctx); err != nil {
		errs = append(errs, err)
	}
	rep.Findings, err = r.recorded(ctx, found)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		r.m.runs.WithLabelValues("partial").Inc()
	} else {
		r.m.runs.WithLabelValues("ok").Inc()
	}
	return rep, errors.Join(errs...)
}

// recorded returns the stored rows of the findings a pass saw, in the pass's order.
func (r *Reconciler) recorded(ctx context.Context, found []Finding) ([]Finding, error) {
	open, err := r.OpenFindings(ctx)
	if err != nil {
		return nil, err
	}
	type id struct {
		tenant  string
		kind    domain.DivergenceKind
		subject string
	}
	byID := make(map[id]Finding, len(open))
	for _, f := range open {
		byID[id{f.TenantID, f.Kind, f.Subject}] = f
	}
	out := make([]Finding, 0, len(found))
	for _, f := range found {
		if stored, ok := byID[id{f.TenantID, f.Kind, f.Subject}]; ok {
			f = stored
		}
		out = append(out, f)
	}
	return out, nil
}

func (r *Reconciler) refreshGauge(ctx context.Context) error {
	counts, err := r.openCounts(ctx)
	if err != nil {
		return err
	}
	for _, k := range domain.DivergenceKinds {
		r.m.open.WithLabelValues(string(k)).Set(float64(counts[k]))
	}
	return nil
}

// Run passes every Interval until ctx ends. A pass under way when ctx ends may finish for up to
// drain, so its findings are recorded rather than rolled back half-way.
func (r *Reconciler) Run(ctx context.Context, drain time.Duration) error {
	for {
		passCtx, cancel := drainContext(ctx, drain)
		start := time.Now()
		rep, err := r.Pass(passCtx)
		cancel()
		if err != nil {
			r.log.Warn("reconciliation pass incomplete", zap.Strings("failedChecks", rep.Failed), zap.Error(err))
		} else {
			r.log.Info("reconciliation pass", zap.Int("findings", len(rep.Findings)), zap.Int("opened", rep.Opened),
				zap.Int("resolved", rep.Resolved), zap.Int64("durationMs", time.Since(start).Milliseconds()))
		}
		if ctx.Err() != nil {
			return nil
		}
		pollloop.Sleep(ctx, r.cfg.Interval)
		if ctx.Err() != nil {
			return nil
		}
	}
}

// drainContext follows parent's values but is cancelled only drain after parent ends.
func drainContext(parent context.Context, drain time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stop := context.AfterFunc(parent, func() {
		t := time.AfterFunc(drain, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	return ctx, func() { stop(); cancel() }
}

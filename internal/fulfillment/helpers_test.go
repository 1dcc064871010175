package fulfillment_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
	"github.com/orderfleet/orderfleet/internal/worker"
)

const tenant = "tenant-wt"

// fixture is one test's world: a fresh migrated database, the service with its real repositories,
// fake external systems, and the handlers exactly as the binaries register them.
type fixture struct {
	t        *testing.T
	ctx      context.Context
	pool     *pgxpool.Pool
	store    *postgres.Store
	ext      *fakeSystems
	reg      *prometheus.Registry
	logs     *observer.ObservedLogs
	handlers map[string]worker.Handler
	catalog  *domain.Catalog
	keys     atomic.Int64
}

// order is a captured order whose process instance already ran load-fulfillment-plan.
type order struct {
	fulfillment.CapturedOrder
	instance int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	pool := pgtest.NewPool(t)
	catalog, err := domain.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.InfoLevel)
	f := &fixture{t: t, ctx: ctx, pool: pool, store: postgres.New(pool), ext: newFakeSystems(),
		reg: prometheus.NewRegistry(), logs: logs, handlers: map[string]worker.Handler{}, catalog: catalog}
	svc := fulfillment.NewService(f.store, f.ext, zap.New(core), f.reg)
	for _, r := range svc.Registrations() {
		f.handlers[r.JobType] = r.Handler
	}
	return f
}

func bundleAdd(line int) domain.ItemInput {
	return domain.ItemInput{LineNo: line, ProductCode: "BROADBAND_BUNDLE", Action: domain.ActionAdd, Location: "1 Main St",
		Attributes: map[string]string{"downloadMbps": "500"}}
}

func bundleModify(line int, assetID string, version int64) domain.ItemInput {
	return domain.ItemInput{LineNo: line, ProductCode: "BROADBAND_BUNDLE", Action: domain.ActionModify, TargetAssetID: assetID,
		ExpectedAssetVersion: version, Attributes: map[string]string{"downloadMbps": "1000"}}
}

// newOrder captures an order and runs its load-fulfillment-plan job, so it is FULFILLING.
func (f *fixture) newOrder(items ...domain.ItemInput) *order {
	f.t.Helper()
	if len(items) == 0 {
		items = []domain.ItemInput{bundleAdd(1)}
	}
	captured, err := fulfillment.CaptureOrder(f.ctx, f.store, f.catalog, domain.NewOrderInput{
		TenantID: tenant, CustomerID: "customer-1", Items: items,
	}, domain.Cause{Actor: domain.Actor{Type: domain.ActorUser, ID: "worker-test"}, CorrelationID: "corr-wt"})
	if err != nil {
		f.t.Fatalf("capture order: %v", err)
	}
	o := &order{CapturedOrder: captured, instance: 2251799813685000 + f.keys.Add(1)}
	f.must(f.run(o, fulfillment.JobLoadFulfillmentPlan, nil))
	return o
}

// job builds the job a BPMN element would create: the plan ids plus the element's own inputs.
func (f *fixture) job(o *order, jobType string, extra map[string]any) *worker.Job {
	vars := map[string]any{
		"schemaVersion": 1, "tenantId": o.TenantID, "orderId": o.OrderID,
		"fulfillmentPlanId": o.FulfillmentPlanID, "correlationId": "corr-wt",
	}
	for k, v := range extra {
		vars[k] = v
	}
	doc, err := json.Marshal(vars)
	if err != nil {
		f.t.Fatal(err)
	}
	return worker.NewTestJob(jobType, 4503599627370000+f.keys.Add(1), o.instance, 3, doc)
}

// run delivers one job to its handler, as the harness does, and returns the output variables.
func (f *fixture) run(o *order, jobType string, extra map[string]any) (map[string]any, error) {
	f.t.Helper()
	h, ok := f.handlers[jobType]
	if !ok {
		f.t.Fatalf("no handler registered for %s", jobType)
	}
	res, err := h(f.ctx, f.job(o, jobType, extra))
	return res.Variables, err
}

func (f *fixture) must(vars map[string]any, err error) map[string]any {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("job failed: %v", err)
	}
	return vars
}

func (f *fixture) plan(o *order) *domain.Plan {
	f.t.Helper()
	p, err := f.store.GetPlan(f.ctx, tenant, o.FulfillmentPlanID)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) task(o *order, key string) *domain.Task {
	f.t.Helper()
	for _, t := range f.plan(o).Tasks {
		if t.Key == key {
			return t
		}
	}
	f.t.Fatalf("plan has no task %q", key)
	return nil
}

func (f *fixture) orderStatus(o *order) domain.OrderStatus {
	f.t.Helper()
	got, err := f.store.GetOrder(f.ctx, tenant, o.OrderID)
	if err != nil {
		f.t.Fatal(err)
	}
	return got.Status
}

// count runs a count(*) query.
func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.pool.QueryRow(f.ctx, sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// events counts an order's outbox events of one type.
func (f *fixture) events(o *order, eventType string) int {
	return f.count(`select count(*) from outbox_event where tenant_id = $1 and event_type = $2
		and envelope -> 'payload' ->> 'orderId' = $3`, tenant, eventType, o.OrderID)
}

func (f *fixture) allEvents() int { return f.count(`select count(*) from outbox_event`) }

func (f *fixture) attempts(taskID string) int {
	return f.count(`select count(*) from fulfillment_task_attempt where fulfillment_task_id = $1`, taskID)
}

// sawLog reports whether a log line with this message was written.
// counter sums a fulfillment counter's series for one job type.
func (f *fixture) counter(name, jobType string) float64 {
	return metrictest.Sum(f.t, f.reg, name, "job_type", jobType)
}

// histogram reads the observation count and sum of one labelled series of a histogram.
func (f *fixture) histogram(name, label, value string) (uint64, float64) {
	return metrictest.Histogram(f.t, f.reg, name, label, value)
}

func (f *fixture) sawLog(message string) bool {
	return f.logs.FilterMessage(message).Len() > 0
}

// runSync executes an AUTOMATED_SYNC task to completion through execute-fulfillment-task.
func (f *fixture) runSync(o *order, key string) *domain.Task {
	f.t.Helper()
	t := f.task(o, key)
	f.must(f.run(o, fulfillment.JobExecuteTask, map[string]any{"currentTaskId": t.ID}))
	return f.task(o, key)
}

// failure returns the classified failure of a handler error, failing the test if there is none.
func failure(t *testing.T, err error) *worker.Failure {
	t.Helper()
	var fl *worker.Failure
	if !errors.As(err, &fl) {
		t.Fatalf("error %v is not a classified worker failure", err)
	}
	return fl
}

func cause() domain.Cause {
	return domain.Cause{Actor: domain.Actor{Type: domain.ActorUser, ID: "worker-test"}, CorrelationID: "corr-wt"}
}

// requestCancellation is the OMS cancel command: a FULFILLING order becomes CANCELLATION_REQUESTED.
func (f *fixture) requestCancellation(o *order) {
	f.t.Helper()
	err := f.store.UpdateOrderAndPlan(f.ctx, tenant, o.OrderID, func(ord *domain.Order, p *domain.Plan) error {
		_, err := ord.RequestCancellation(p, "CUSTOMER_CANCELLED", cause())
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

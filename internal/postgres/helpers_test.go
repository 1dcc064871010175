package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

const tenant = "tenant-a"

var t0 = time.Date(2026, 7, 2, 5, 0, 0, 0, time.UTC)

func cause(reason string) domain.Cause {
	return domain.Cause{Actor: domain.Actor{Type: domain.ActorWorker, ID: "repo-test"}, ReasonCode: reason, CorrelationID: "corr-1", At: t0}
}

func newStore(t *testing.T) (*postgres.Store, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.NewPool(t)
	return postgres.New(pool), pool
}

func catalog(t testing.TB) *domain.Catalog {
	t.Helper()
	c, err := domain.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func bundle(line int) domain.ItemInput {
	return domain.ItemInput{LineNo: line, ProductCode: "BROADBAND_BUNDLE", Action: domain.ActionAdd, Location: "1 Main St",
		Attributes: map[string]string{"downloadMbps": "500"}}
}

// prepare builds an order and its plan in memory, decomposing against the
// store's installed base.
func prepare(t *testing.T, s *postgres.Store, items ...domain.ItemInput) (*domain.Order, *domain.Plan, domain.WorkflowStartRequest) {
	t.Helper()
	ids := domain.RandomIDs()
	o, err := domain.NewOrder(domain.NewOrderInput{TenantID: tenant, CustomerID: "cust-1", Items: items}, ids, cause("CAPTURE"))
	if err != nil {
		t.Fatal(err)
	}
	p, req, err := domain.PrepareFulfillment(o, catalog(t), s.AssetLookup(context.Background()), ids, cause("PREPARE"))
	if err != nil {
		t.Fatal(err)
	}
	return o, p, req
}

// created stores a prepared bundle order and returns it.
func created(t *testing.T, s *postgres.Store, items ...domain.ItemInput) (*domain.Order, *domain.Plan) {
	t.Helper()
	if len(items) == 0 {
		items = []domain.ItemInput{bundle(1)}
	}
	o, p, req := prepare(t, s, items...)
	if err := s.CreateOrderWithPlan(context.Background(), o, p, req); err != nil {
		t.Fatalf("CreateOrderWithPlan: %v", err)
	}
	return o, p
}

func count(t *testing.T, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "select count(*) from "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

var allTables = []string{
	"customer_order", "order_item", "fulfillment_plan", "fulfillment_task", "fulfillment_task_dependency",
	"workflow_start_request", "fulfillment_task_attempt", "fallout_case", "manual_decision", "compensation_plan",
	"compensation_task", "installed_base_asset", "installed_base_asset_version", "audit_entry", "outbox_event",
	"fulfillment_execution",
}

func counts(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, table := range allTables {
		m[table] = count(t, pool, table)
	}
	return m
}

func assertCounts(t *testing.T, pool *pgxpool.Pool, want map[string]int) {
	t.Helper()
	for table, n := range counts(t, pool) {
		if n != want[table] {
			t.Errorf("%s has %d rows, want %d", table, n, want[table])
		}
	}
}

func keyTask(t *testing.T, p *domain.Plan, key string) *domain.Task {
	t.Helper()
	for _, task := range p.Tasks {
		if task.Key == key {
			return task
		}
	}
	t.Fatalf("no task %s", key)
	return nil
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

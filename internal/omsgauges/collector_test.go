package omsgauges_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/omsgauges"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

func TestGaugesReportTheOMSState(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool := pgtest.NewPool(t)
	catalog, err := domain.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	captured, err := fulfillment.CaptureOrder(ctx, postgres.New(pool), catalog, domain.NewOrderInput{
		TenantID: "tenant-gauges", CustomerID: "customer-1",
		Items: []domain.ItemInput{{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: domain.ActionAdd, Location: "1 Main St",
			Attributes: map[string]string{"downloadMbps": "500"}}},
	}, domain.Cause{Actor: domain.Actor{Type: domain.ActorUser, ID: "gauge-test"}, CorrelationID: "corr-gauges"})
	if err != nil {
		t.Fatal(err)
	}
	var owner string
	err = pool.QueryRow(ctx, `update fulfillment_task set status = 'SUBMITTED', updated_at = now() - interval '3 hours'
		where id = (select id from fulfillment_task where order_id = $1 order by id limit 1) returning owner_system`,
		captured.OrderID).Scan(&owner)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(omsgauges.New(pool, omsgauges.Config{StuckAfter: time.Hour}))

	var status string
	if err := pool.QueryRow(ctx, `select status from customer_order where id = $1`, captured.OrderID).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if v, _ := metrictest.Find(t, reg, "orderfleet_orders", "status", status); v != 1 {
		t.Errorf("orderfleet_orders{status=%s} = %v, want 1", status, v)
	}
	if v, _ := metrictest.Find(t, reg, "orderfleet_fulfillment_task_backlog", "owner_system", owner, "status", "SUBMITTED"); v != 1 {
		t.Errorf("backlog of %s SUBMITTED = %v, want 1", owner, v)
	}
	if v, _ := metrictest.Find(t, reg, "orderfleet_fulfillment_tasks_stuck", "owner_system", owner); v != 1 {
		t.Errorf("stuck tasks of %s = %v, want 1", owner, v)
	}
	if v, _ := metrictest.Find(t, reg, "orderfleet_orders_stuck"); v != 1 {
		t.Errorf("orderfleet_orders_stuck = %v, want 1", v)
	}
	if v, ok := metrictest.Find(t, reg, "orderfleet_oms_gauges_up"); !ok || v != 1 {
		t.Errorf("orderfleet_oms_gauges_up = %v (present %v), want 1", v, ok)
	}

	// One transaction holds the order row; another waits to update it.
	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(ctx) }()
	if _, err := holder.Exec(ctx, `select id from customer_order where id = $1 for update`, captured.OrderID); err != nil {
		t.Fatal(err)
	}
	waiter := make(chan error, 1)
	go func() {
		_, err := pool.Exec(ctx, `update customer_order set updated_at = now() where id = $1`, captured.OrderID)
		waiter <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if v, _ := metrictest.Find(t, reg, "orderfleet_db_lock_waiting_sessions", "table", "customer_order"); v == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("orderfleet_db_lock_waiting_sessions{table=customer_order} never reached 1 while an update waited")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-waiter; err != nil {
		t.Fatal(err)
	}
}

// A database that does not answer costs the scrape nothing but the OMS gauges.
func TestGaugesDownKeepTheScrapeAlive(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	reg := prometheus.NewRegistry()
	reg.MustRegister(omsgauges.New(pool, omsgauges.Config{Timeout: time.Second}))
	pool.Close()
	if v, ok := metrictest.Find(t, reg, "orderfleet_oms_gauges_up"); !ok || v != 0 {
		t.Fatalf("orderfleet_oms_gauges_up = %v (present %v) with the pool closed, want 0", v, ok)
	}
	if _, ok := metrictest.Find(t, reg, "orderfleet_orders"); ok {
		t.Fatal("orderfleet_orders reported without a database")
	}
}

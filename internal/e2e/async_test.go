package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

// asyncTenant has a callback secret in the e2e fleet, so the simulator's signed callbacks for its
// orders are accepted by the OMS API; orders still isolate each test.
const asyncTenant = "e2e-async"

// countRows counts rows of a table for one order of the async tenant.
func countRows(t *testing.T, ctx context.Context, query string, args ...any) int {
	t.Helper()
	var n int
	if err := stack.pool.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// assertAsyncOrderCompleted checks the order, its single shipment attempt and the engine's view.
func assertAsyncOrderCompleted(t *testing.T, ctx context.Context, order fulfillment.CapturedOrder) {
	t.Helper()
	waitForOrderStatus(t, ctx, order, domain.OrderCompleted)
	key := workflowKey(t, ctx, order)
	if _, err := stack.engine.WaitForState(ctx, key, "COMPLETED"); err != nil {
		t.Fatal(err)
	}
	nodes, err := stack.engine.WaitForElement(ctx, key, "OrderCompleted")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"SubmitExternalRequest", "AwaitExternalResult", "ApplyExternalResult"} {
		if !visited(nodes, id) {
			t.Errorf("the shipment did not go through %s: %v", id, nodeIDs(nodes))
		}
	}
	if n := countRows(t, ctx, `select count(*) from fulfillment_task_attempt a join fulfillment_task t
		on t.tenant_id = a.tenant_id and t.id = a.fulfillment_task_id
		where a.tenant_id = $1 and a.order_id = $2 and t.task_type = 'CONFIRM_SHIPMENT'`, order.TenantID, order.OrderID); n != 1 {
		t.Errorf("%d shipment attempts, want 1", n)
	}
	if n := countAudit(timelineActions(t, ctx, order), domain.AuditTaskTransition, string(domain.TaskCompleted)); n != 3 {
		t.Errorf("%d task completions, want 3", n)
	}
}

// TestAsyncShipmentCompletesThroughCallbackOutboxKafkaRouter: the carrier accepts the shipment
// request (202) and confirms later with a signed callback to the OMS API; the callback's event goes
// outbox → Kafka → correlation router → Zeebe message, and the waiting task completes.
func TestAsyncShipmentCompletesThroughCallbackOutboxKafkaRouter(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	order := captureWithScenario(t, ctx, asyncTenant, "HOME_ROUTER", "shipping-adapter", "CONFIRM_SHIPMENT",
		simulator.Scenario{Behavior: simulator.Async, Delay: simulator.Duration(1500 * time.Millisecond)})
	assertAsyncOrderCompleted(t, ctx, order)
	if n := countRows(t, ctx, `select count(*) from callback_evidence where tenant_id = $1 and order_id = $2`, asyncTenant, order.OrderID); n != 1 {
		t.Errorf("%d callback evidence rows, want 1", n)
	}
}

// TestCallbackBeforeTheWaitStateAndDeliveredFiveTimes: the carrier calls back at once, typically
// before the process reaches its wait state, and then delivers the same callback four more times.
// The message TTL keeps the early result; the inbox and the callback dedupe keep one effect.
func TestCallbackBeforeTheWaitStateAndDeliveredFiveTimes(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	order := captureWithScenario(t, ctx, asyncTenant, "HOME_ROUTER", "shipping-adapter", "CONFIRM_SHIPMENT",
		simulator.Scenario{Behavior: simulator.Async})
	assertAsyncOrderCompleted(t, ctx, order)

	sim := simulator.NewClient(stack.simulatorURL)
	page, err := sim.Ledger(ctx, simulator.Query{OrderID: order.OrderID, Operation: "CONFIRM_SHIPMENT"})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("ledger for the shipment: %v entries, err %v", len(page.Entries), err)
	}
	res, err := sim.Deliver(ctx, simulator.DeliverRequest{IdempotencyKey: page.Entries[0].IdempotencyKey, Times: 4})
	if err != nil {
		t.Fatalf("redeliver the callback: %v", err)
	}
	t.Logf("redeliveries answered %v", res)
	if n := countRows(t, ctx, `select count(*) from callback_evidence where tenant_id = $1 and order_id = $2`, asyncTenant, order.OrderID); n != 1 {
		t.Errorf("%d callback evidence rows after 5 deliveries, want 1", n)
	}
	if n := countRows(t, ctx, `select count(*) from outbox_event where tenant_id = $1 and event_type = 'ExternalTaskResultReceived'
		and envelope->'payload'->>'orderId' = $2`, asyncTenant, order.OrderID); n != 1 {
		t.Errorf("%d ExternalTaskResultReceived events after 5 deliveries, want 1", n)
	}
	if n := countAudit(timelineActions(t, ctx, order), domain.AuditTaskTransition, string(domain.TaskCompleted)); n != 3 {
		t.Errorf("%d task completions after 5 deliveries, want 3", n)
	}
}

package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

// TestRepairAndRetryCompletesTheOrder: a rejected reservation sends the order to fallout; the
// operator fixes the cause, repairs the case with RETRY through the OMS API, and the repair event
// reaches the waiting instance through outbox, Kafka and the router; the task runs again and the
// order completes.
func TestRepairAndRetryCompletesTheOrder(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	order := captureWithScenario(t, ctx, asyncTenant, "CLOUD_BACKUP", "inventory-adapter", "RESERVE_RESOURCE",
		simulator.Scenario{Behavior: simulator.Reject, ReasonCode: "NO_CAPACITY"})
	taskID := waitForTask(t, ctx, order, domain.TaskReserveResource, domain.TaskFailed)
	key := workflowKey(t, ctx, order)
	if _, err := stack.engine.WaitForElement(ctx, key, "AwaitRepair"); err != nil {
		t.Fatal(err)
	}
	cases, err := stack.store.ListFallouts(ctx, asyncTenant, order.OrderID)
	if err != nil || len(cases) != 1 {
		t.Fatalf("fallout cases: %d (%v), want 1", len(cases), err)
	}

	// The capacity problem is fixed at the partner; the retry is a new attempt with a new key.
	if err := simulator.NewClient(stack.simulatorURL).SetOrderScenario(ctx, order.OrderID, "inventory-adapter", "RESERVE_RESOURCE",
		simulator.Scenario{Behavior: simulator.Succeed}); err != nil {
		t.Fatal(err)
	}
	repair := map[string]any{"action": "RETRY", "reasonCode": "CAPACITY_ADDED", "reason": "Added capacity in the pool.",
		"evidenceReference": "change-42", "operatorId": "ops-7"}
	path := orderPath(order.OrderID, "/fallout-cases/"+cases[0].ID+"/repair")
	apiPost(t, ctx, path, "repair-"+cases[0].ID, repair, nil, 200)
	apiPost(t, ctx, path, "repair-"+cases[0].ID, repair, nil, 200) // a double submit replays, no second repair

	waitForOrderStatus(t, ctx, order, domain.OrderCompleted)
	if _, err := stack.engine.WaitForElement(ctx, key, "OrderCompleted"); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, ctx, `select count(*) from fulfillment_task_attempt where tenant_id = $1 and fulfillment_task_id = $2`,
		asyncTenant, taskID); n != 2 {
		t.Fatalf("%d attempts of the reserve task, want 2 (rejected, then retried)", n)
	}
	if n := countRows(t, ctx, `select count(*) from outbox_event where tenant_id = $1 and event_type = $2
		and envelope->'payload'->>'orderId' = $3`, asyncTenant, domain.EventFulfillmentFalloutRepaired, order.OrderID); n != 1 {
		t.Fatalf("%d repair events, want 1", n)
	}
}

// TestCancellationDuringAWaitCompensatesCompletedWork: the order waits for a manual review after
// its storage was reserved; the customer cancels; the interrupting cancellation subprocess releases
// the reservation (the only completed compensatable task) and the order ends CANCELLED.
func TestCancellationDuringAWaitCompensatesCompletedWork(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	order := captureProduct(t, ctx, asyncTenant, "BUSINESS_BACKUP")
	waitForTask(t, ctx, order, domain.TaskManualActivationReview, domain.TaskWaiting)
	key := workflowKey(t, ctx, order)

	body := map[string]any{"reasonCode": "CUSTOMER_REQUEST", "reason": "Customer withdrew the order.", "operatorId": "agent-3"}
	apiPost(t, ctx, orderPath(order.OrderID, "/cancel"), "cancel-"+order.OrderID, body, nil, 202)

	waitForOrderStatus(t, ctx, order, domain.OrderCancelled)
	nodes, err := stack.engine.WaitForElement(ctx, key, "OrderCancelled")
	if err != nil {
		t.Fatal(err)
	}
	if visited(nodes, "FinalizeOrderFulfillment") {
		t.Fatalf("a cancelled order must not be finalized as fulfilled: %v", nodeIDs(nodes))
	}
	page, err := simulator.NewClient(stack.simulatorURL).Ledger(ctx, simulator.Query{OrderID: order.OrderID, Operation: "RELEASE_RESOURCE"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Effects != 1 {
		t.Fatalf("%d RELEASE_RESOURCE effects, want exactly 1", page.Effects)
	}
	// The manual-task releaser settles parked jobs on its own poll, so the order can end first.
	for {
		n := countRows(t, ctx, `select count(*) from manual_task_job where tenant_id = $1 and order_id = $2 and released_at is null`,
			asyncTenant, order.OrderID)
		if n == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d user-task jobs still parked after the cancellation, want 0", n)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestCompensationFailureOpensFallout: the partner refuses to release the reserved storage during
// a cancellation; the compensation task throws COMPENSATION_FAILED and the process opens a fallout
// case for the operators instead of claiming the order was cancelled cleanly.
func TestCompensationFailureOpensFallout(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	order := captureWithScenario(t, ctx, asyncTenant, "BUSINESS_BACKUP", "inventory-adapter", "RELEASE_RESOURCE",
		simulator.Scenario{Behavior: simulator.Reject, ReasonCode: "RESOURCE_LOCKED"})
	waitForTask(t, ctx, order, domain.TaskManualActivationReview, domain.TaskWaiting)
	key := workflowKey(t, ctx, order)

	body := map[string]any{"reasonCode": "CUSTOMER_REQUEST", "reason": "Customer withdrew the order.", "operatorId": "agent-3"}
	apiPost(t, ctx, orderPath(order.OrderID, "/cancel"), "cancel-"+order.OrderID, body, nil, 202)

	nodes, err := stack.engine.WaitForElement(ctx, key, "CompensationFailedEnd")
	if err != nil {
		t.Fatal(err)
	}
	if visited(nodes, "OrderCancelled") {
		t.Fatalf("a failed compensation must not end as cancelled: %v", nodeIDs(nodes))
	}
	cases, err := stack.store.ListFallouts(ctx, asyncTenant, order.OrderID)
	if err != nil || len(cases) != 1 {
		t.Fatalf("fallout cases: %d (%v), want 1", len(cases), err)
	}
	if cases[0].Category != domain.FalloutCompensationFailed {
		t.Fatalf("fallout category %s, want %s", cases[0].Category, domain.FalloutCompensationFailed)
	}
	if o, _ := stack.store.GetOrder(ctx, asyncTenant, order.OrderID); o.Status == domain.OrderCancelled {
		t.Fatalf("order is CANCELLED although its reservation could not be released")
	}
}

package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

// captureProduct captures a one-line ADD order of the given catalog product.
func captureProduct(t *testing.T, ctx context.Context, tenant, product string) fulfillment.CapturedOrder {
	t.Helper()
	order, err := fulfillment.CaptureOrder(ctx, stack.store, stack.catalog, domain.NewOrderInput{
		TenantID: tenant, CustomerID: "customer-" + tenant, CompletionPolicy: domain.CompletionRequiresBillingActive,
		Items: []domain.ItemInput{{LineNo: 1, ProductCode: product, Action: domain.ActionAdd, Quantity: 1}},
	}, testCause())
	if err != nil {
		t.Fatalf("capture %s order: %v", product, err)
	}
	return order
}

// waitForTask polls until the plan's task of the given type reaches want and returns its id.
func waitForTask(t *testing.T, ctx context.Context, order fulfillment.CapturedOrder, taskType domain.TaskType, want domain.TaskStatus) string {
	t.Helper()
	var last domain.TaskStatus
	for {
		p, err := stack.store.GetPlan(ctx, order.TenantID, order.FulfillmentPlanID)
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range p.Tasks {
			if task.Type == taskType {
				if last = task.Status; last == want {
					return task.ID
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("task %s is %q after waiting, want %s", taskType, last, want)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// TestManualTaskCompletesThroughTheOMS: the MANUAL task becomes a user task whose job the fleet
// parks; the operator's decision is recorded by the OMS, and only then is the engine told.
func TestManualTaskCompletesThroughTheOMS(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	order := captureProduct(t, ctx, newTenant(t), "PREMIUM_SUPPORT")
	taskID := waitForTask(t, ctx, order, domain.TaskManualActivationReview, domain.TaskWaiting)

	var parked int
	if err := stack.pool.QueryRow(ctx, `select count(*) from manual_task_job where tenant_id = $1 and fulfillment_task_id = $2 and released_at is null`,
		order.TenantID, taskID).Scan(&parked); err != nil {
		t.Fatal(err)
	}
	if parked != 1 {
		t.Fatalf("%d parked user-task jobs for the manual task, want 1", parked)
	}
	o, err := stack.store.GetOrder(ctx, order.TenantID, order.OrderID)
	if err != nil || o.Status != domain.OrderFulfilling {
		t.Fatalf("while the review waits the order must stay FULFILLING, got %v (%v)", o, err)
	}

	decision := domain.ManualDecision{
		ID: domain.NewUUID(), TenantID: order.TenantID, OrderID: order.OrderID, PlanID: order.FulfillmentPlanID, TaskID: taskID,
		Decision: domain.DecisionComplete, IdempotencyKey: "manual-" + taskID + "-ops-1",
		Justification: domain.Justification{ReasonCode: "ACTIVATION_VERIFIED", Reason: "Checked the customer's entitlement by hand.",
			EvidenceReference: "ticket-4711", OperatorID: "ops-1"},
	}
	for i := 0; i < 2; i++ { // an operator double-submit must be one decision
		if _, _, err := stack.store.ApplyManualDecision(ctx, decision, "e2e-manual"); err != nil {
			t.Fatalf("record decision (try %d): %v", i+1, err)
		}
	}
	waitForOrderStatus(t, ctx, order, domain.OrderCompleted)

	key := workflowKey(t, ctx, order)
	if _, err := stack.engine.WaitForState(ctx, key, "COMPLETED"); err != nil {
		t.Fatal(err)
	}
	nodes, err := stack.engine.WaitForElement(ctx, key, "OrderCompleted")
	if err != nil {
		t.Fatal(err)
	}
	if !visited(nodes, "ManualTask") {
		t.Fatalf("instance %d never ran the user task: %v", key, nodeIDs(nodes))
	}
	if n := countAudit(timelineActions(t, ctx, order), domain.AuditManualDecision, ""); n != 1 {
		t.Fatalf("%d manual decisions in the timeline, want 1", n)
	}
}

// TestTaskRejectionOpensFallout: a partner rejects a task; the plan gets stuck, the process opens
// one fallout case and waits at the repair step, and the order is not completed.
func TestTaskRejectionOpensFallout(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tenant := newTenant(t)
	order := captureWithScenario(t, ctx, tenant, "CLOUD_BACKUP", "inventory-adapter", "RESERVE_RESOURCE",
		simulator.Scenario{Behavior: simulator.Reject, ReasonCode: "NO_CAPACITY"})

	waitForTask(t, ctx, order, domain.TaskReserveResource, domain.TaskFailed)
	key := workflowKey(t, ctx, order)
	nodes, err := stack.engine.WaitForElement(ctx, key, "AwaitRepair")
	if err != nil {
		t.Fatal(err)
	}
	if visited(nodes, "FinalizeOrderFulfillment") {
		t.Fatalf("a failed required task must not reach finalization: %v", nodeIDs(nodes))
	}
	cases, err := stack.store.ListFallouts(ctx, tenant, order.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 {
		t.Fatalf("%d fallout cases, want exactly 1", len(cases))
	}
	if o, _ := stack.store.GetOrder(ctx, tenant, order.OrderID); o.Status != domain.OrderFulfilling {
		t.Fatalf("order is %s while its fallout waits for repair, want FULFILLING", o.Status)
	}
}

// captureWithScenario captures an order and gives the simulator an order-specific scenario before
// any task runs: the shared start relay is paused meanwhile, so the first call already sees it.
func captureWithScenario(t *testing.T, ctx context.Context, tenant, product, system, operation string, sc simulator.Scenario) fulfillment.CapturedOrder {
	t.Helper()
	if err := stack.fleet["workflow-start-relay"].stop(20 * time.Second); err != nil {
		t.Fatalf("pause the start relay: %v", err)
	}
	defer func() {
		if err := startFleetProcess("workflow-start-relay"); err != nil {
			t.Fatalf("resume the start relay: %v", err)
		}
	}()
	order := captureProduct(t, ctx, tenant, product)
	if err := simulator.NewClient(stack.simulatorURL).SetOrderScenario(ctx, order.OrderID, system, operation, sc); err != nil {
		t.Fatalf("simulator scenario: %v", err)
	}
	return order
}

package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// TestSuspendAndResume: the customer puts the order on hold while a manual review is open. The
// review is decided, but the next round sees the order SUSPENDED and waits for order-resumed
// instead of starting more work; resuming through the OMS API lets it run to completion.
func TestSuspendAndResume(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	order := captureProduct(t, ctx, asyncTenant, "PREMIUM_SUPPORT")
	reviewID := waitForTask(t, ctx, order, domain.TaskManualActivationReview, domain.TaskWaiting)
	key := workflowKey(t, ctx, order)

	hold := map[string]any{"reasonCode": "CUSTOMER_HOLD", "reason": "Customer travels until next month.", "operatorId": "agent-5"}
	apiPost(t, ctx, orderPath(order.OrderID, "/suspend"), "suspend-"+order.OrderID, hold, nil, 200)
	decision := map[string]any{"decision": "COMPLETE", "reasonCode": "ACTIVATION_VERIFIED", "reason": "Entitlement checked.",
		"evidenceReference": "ticket-99", "operatorId": "ops-2"}
	apiPost(t, ctx, orderPath(order.OrderID, "/fulfillment-tasks/"+reviewID+"/manual-decisions"), "decide-"+reviewID, decision, nil, 201)

	waitForActive(t, ctx, key, "AwaitResume")
	p, err := stack.store.GetPlan(ctx, asyncTenant, order.FulfillmentPlanID)
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range p.Tasks {
		if task.Type == domain.TaskUpdateInstalledBase && task.Status != domain.TaskReady && task.Status != domain.TaskPending {
			t.Fatalf("the installed base task is %s while the order is suspended; no work may start", task.Status)
		}
	}

	apiPost(t, ctx, orderPath(order.OrderID, "/resume"), "resume-"+order.OrderID,
		map[string]any{"reasonCode": "CUSTOMER_BACK", "reason": "Customer is back.", "operatorId": "agent-5"}, nil, 200)
	waitForOrderStatus(t, ctx, order, domain.OrderCompleted)
	if _, err := stack.engine.WaitForElement(ctx, key, "OrderCompleted"); err != nil {
		t.Fatal(err)
	}
	entries := timelineActions(t, ctx, order)
	if countAudit(entries, domain.AuditOrderTransition, string(domain.OrderSuspended)) != 1 {
		t.Fatalf("the timeline should show the order suspended once")
	}
}

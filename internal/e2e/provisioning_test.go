package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/enginetest"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

// TestParallelReservationAndAsyncProvisioning: the port reservation and the provisioning request
// have no dependency between them, so they run in the same round; provisioning answers by signed
// callback, and the installed base update waits for both.
func TestParallelReservationAndAsyncProvisioning(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	order := captureWithScenario(t, ctx, asyncTenant, "FIBER_LITE", "provisioning-adapter", "CREATE_PROVISIONING_REQUEST",
		simulator.Scenario{Behavior: simulator.Async, Delay: simulator.Duration(2 * time.Second)})
	waitForOrderStatus(t, ctx, order, domain.OrderCompleted)

	p, err := stack.store.GetPlan(ctx, asyncTenant, order.FulfillmentPlanID)
	if err != nil {
		t.Fatal(err)
	}
	byType := map[domain.TaskType]*domain.Task{}
	for _, task := range p.Tasks {
		byType[task.Type] = task
	}
	reserve, provision, asset := byType[domain.TaskReserveResource], byType[domain.TaskCreateProvisioningRequest], byType[domain.TaskUpdateInstalledBase]
	if !provision.StartedAt.Before(reserve.CompletedAt.Add(time.Second)) || !reserve.StartedAt.Before(provision.CompletedAt) {
		t.Errorf("reservation [%v, %v] and provisioning [%v, %v] should overlap", reserve.StartedAt, reserve.CompletedAt,
			provision.StartedAt, provision.CompletedAt)
	}
	if asset.StartedAt.Before(provision.CompletedAt) || asset.StartedAt.Before(reserve.CompletedAt) {
		t.Errorf("the installed base update started at %v, before both of its dependencies were done", asset.StartedAt)
	}
	key := workflowKey(t, ctx, order)
	nodes, err := stack.engine.WaitForElement(ctx, key, "OrderCompleted")
	if err != nil {
		t.Fatal(err)
	}
	if !visited(nodes, "AwaitExternalResult") || !visited(nodes, "ExecuteTask") {
		t.Errorf("expected both a sync task and an awaited provisioning result: %v", nodeIDs(nodes))
	}
}

// TestProvisioningTimeoutOpensFallout moves the engine's controlled clock past the provisioning
// task's timeout (PT30M) instead of waiting: the boundary timer fires, apply-fulfillment-timeout
// records the timeout, and the policy's OPEN_FALLOUT sends the order to fallout.
func TestProvisioningTimeoutOpensFallout(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	order := captureWithScenario(t, ctx, asyncTenant, "FIBER_LITE", "provisioning-adapter", "CREATE_PROVISIONING_REQUEST",
		simulator.Scenario{Behavior: simulator.NeverAnswer})
	taskID := waitForTask(t, ctx, order, domain.TaskCreateProvisioningRequest, domain.TaskSubmitted)
	key := workflowKey(t, ctx, order)
	// The boundary timer exists once the instance waits; then time can move.
	waitForActive(t, ctx, key, "AwaitExternalResult")
	clock := engineapi.NewClock(envOr("ORDERFLEET_ZEEBE_MANAGEMENT_URL", "http://127.0.0.1:9600"))
	enginetest.MoveClock(t, ctx, clock, 31*time.Minute)
	waitForTask(t, ctx, order, domain.TaskCreateProvisioningRequest, domain.TaskTimedOut)
	if _, err := stack.engine.WaitForElement(ctx, key, "AwaitRepair"); err != nil {
		t.Fatal(err)
	}
	cases, err := stack.store.ListFallouts(ctx, asyncTenant, order.OrderID)
	if err != nil || len(cases) != 1 {
		t.Fatalf("fallout cases: %d (%v), want 1", len(cases), err)
	}
	if cases[0].TaskID != taskID || cases[0].Category != domain.FalloutCategory("EXTERNAL_SYSTEM_TIMEOUT") {
		t.Fatalf("fallout case for task %s category %s, want task %s EXTERNAL_SYSTEM_TIMEOUT", cases[0].TaskID, cases[0].Category, taskID)
	}
	if n := countAudit(timelineActions(t, ctx, order), domain.AuditTaskTransition, string(domain.TaskTimedOut)); n != 1 {
		t.Fatalf("%d timeouts in the timeline, want 1", n)
	}
}

// waitForActive polls the engine's read API until the element is active in the instance.
func waitForActive(t *testing.T, ctx context.Context, key int64, elementID string) {
	t.Helper()
	for {
		nodes, err := stack.engine.ElementInstances(ctx, key)
		if err == nil {
			for _, n := range nodes {
				if n.ElementID == elementID && n.State == engineapi.StateActive {
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("instance %d: %s never became active (%v)", key, elementID, nodeIDs(nodes))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

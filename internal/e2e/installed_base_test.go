package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
)

// TestInstalledBaseConflictStopsFinalization: two MODIFY orders are taken against the same asset
// version. The first to update the installed base wins; the other finds the asset moved on, its
// update fails with INSTALLED_BASE_CONFLICT, and it goes to fallout instead of completing.
func TestInstalledBaseConflictStopsFinalization(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tenant := newTenant(t)
	add := captureCloudBackup(t, ctx, tenant)
	waitForOrderStatus(t, ctx, add, domain.OrderCompleted)
	o, err := stack.store.GetOrder(ctx, tenant, add.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	assetID := domain.AssetIDForItem(o.Items[0])

	modify := func() fulfillment.CapturedOrder {
		order, err := fulfillment.CaptureOrder(ctx, stack.store, stack.catalog, domain.NewOrderInput{
			TenantID: tenant, CustomerID: "customer-" + tenant, CompletionPolicy: domain.CompletionRequiresBillingActive,
			Items: []domain.ItemInput{{LineNo: 1, ProductCode: "CLOUD_BACKUP", Action: domain.ActionModify, Quantity: 1,
				TargetAssetID: assetID, ExpectedAssetVersion: 1, Attributes: map[string]string{"storageGb": "2000"}}},
		}, testCause())
		if err != nil {
			t.Fatalf("capture MODIFY: %v", err)
		}
		return order
	}
	// Both orders are taken before either runs, so both expect version 1.
	if err := stack.fleet["workflow-start-relay"].stop(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	first, second := modify(), modify()
	if err := startFleetProcess("workflow-start-relay"); err != nil {
		t.Fatal(err)
	}

	var completed, conflicted []fulfillment.CapturedOrder
	for _, order := range []fulfillment.CapturedOrder{first, second} {
		status := waitForTaskSettled(t, ctx, order, domain.TaskUpdateInstalledBase)
		if status == domain.TaskCompleted {
			completed = append(completed, order)
		} else {
			conflicted = append(conflicted, order)
		}
	}
	if len(completed) != 1 || len(conflicted) != 1 {
		t.Fatalf("%d orders updated the asset and %d conflicted; want exactly one of each", len(completed), len(conflicted))
	}
	waitForOrderStatus(t, ctx, completed[0], domain.OrderCompleted)
	loser := conflicted[0]
	if _, err := stack.engine.WaitForElement(ctx, workflowKey(t, ctx, loser), "AwaitRepair"); err != nil {
		t.Fatal(err)
	}
	cases, err := stack.store.ListFallouts(ctx, tenant, loser.OrderID)
	if err != nil || len(cases) != 1 {
		t.Fatalf("fallout cases of the losing order: %d (%v), want 1", len(cases), err)
	}
	if o, _ := stack.store.GetOrder(ctx, tenant, loser.OrderID); o.Status.IsEndState() {
		t.Fatalf("the conflicting order must not be finalized, it is %s", o.Status)
	}
	if n := countRows(t, ctx, `select version from installed_base_asset where tenant_id = $1 and id = $2`, tenant, assetID); n != 2 {
		t.Fatalf("asset version %d, want 2: one MODIFY applied", n)
	}
}

// waitForTaskSettled waits until the plan's task of that type is COMPLETED or FAILED.
func waitForTaskSettled(t *testing.T, ctx context.Context, order fulfillment.CapturedOrder, taskType domain.TaskType) domain.TaskStatus {
	t.Helper()
	for {
		p, err := stack.store.GetPlan(ctx, order.TenantID, order.FulfillmentPlanID)
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range p.Tasks {
			if task.Type == taskType && (task.Status == domain.TaskCompleted || task.Status == domain.TaskFailed) {
				return task.Status
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("order %s: %s never settled", order.OrderID, taskType)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
)

// newTenant isolates a test's orders from every other test's.
func newTenant(t *testing.T) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "e2e-" + hex.EncodeToString(b)
}

func testCause() domain.Cause {
	return domain.Cause{Actor: domain.Actor{Type: domain.ActorUser, ID: "e2e-test"}, Reason: "end-to-end test"}
}

// captureCloudBackup captures the three-task, all-synchronous CLOUD_BACKUP order.
func captureCloudBackup(t *testing.T, ctx context.Context, tenant string) fulfillment.CapturedOrder {
	t.Helper()
	order, err := fulfillment.CaptureOrder(ctx, stack.store, stack.catalog, domain.NewOrderInput{
		TenantID: tenant, CustomerID: "customer-" + tenant, CompletionPolicy: domain.CompletionRequiresBillingActive,
		Items: []domain.ItemInput{{LineNo: 1, ProductCode: "CLOUD_BACKUP", Action: domain.ActionAdd, Quantity: 1}},
	}, testCause())
	if err != nil {
		t.Fatalf("capture order: %v", err)
	}
	if order.TaskCount != 3 {
		t.Fatalf("CLOUD_BACKUP plan has %d tasks, want 3", order.TaskCount)
	}
	return order
}

// waitForOrderStatus polls PostgreSQL until the order reaches want, failing on another end state.
func waitForOrderStatus(t *testing.T, ctx context.Context, order fulfillment.CapturedOrder, want domain.OrderStatus) {
	t.Helper()
	var last domain.OrderStatus
	for {
		o, err := stack.store.GetOrder(ctx, order.TenantID, order.OrderID)
		if err != nil {
			t.Fatalf("read order: %v", err)
		}
		last = o.Status
		if last == want {
			return
		}
		if last.IsEndState() {
			t.Fatalf("order %s ended %s, want %s", order.OrderID, last, want)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("order %s is %s after waiting, want %s", order.OrderID, last, want)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// workflowKey reads the process instance the OMS recorded for the order.
func workflowKey(t *testing.T, ctx context.Context, order fulfillment.CapturedOrder) int64 {
	t.Helper()
	var key string
	err := stack.pool.QueryRow(ctx, `select process_instance_key from order_workflow_ref where tenant_id = $1 and order_id = $2`,
		order.TenantID, order.OrderID).Scan(&key)
	if err != nil {
		t.Fatalf("order_workflow_ref: %v", err)
	}
	n, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		t.Fatalf("process instance key %q: %v", key, err)
	}
	return n
}

// timelineActions lists the audit actions of an order, with state changes, in time order.
func timelineActions(t *testing.T, ctx context.Context, order fulfillment.CapturedOrder) []domain.AuditEntry {
	t.Helper()
	entries, err := stack.store.Timeline(ctx, order.TenantID, order.OrderID)
	if err != nil {
		t.Fatalf("timeline: %v", err)
	}
	return entries
}

func countAudit(entries []domain.AuditEntry, action, after string) int {
	n := 0
	for _, e := range entries {
		if e.Action == action && (after == "" || e.StateAfter == after) {
			n++
		}
	}
	return n
}

// TestOrderCompletesThroughTheEngine is the walking skeleton: an order with a three-task plan and
// its start request are committed together; the relay starts the instance, the workers run it, and
// the order is COMPLETED in PostgreSQL while the engine reports the instance COMPLETED.
func TestOrderCompletesThroughTheEngine(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tenant := newTenant(t)
	order := captureCloudBackup(t, ctx, tenant)

	waitForOrderStatus(t, ctx, order, domain.OrderCompleted)

	key := workflowKey(t, ctx, order)
	pi, err := stack.engine.WaitForState(ctx, key, "COMPLETED")
	if err != nil {
		t.Fatalf("engine read API: %v", err)
	}
	if pi.ProcessDefinitionID != domain.FulfillmentProcessID {
		t.Fatalf("instance %d runs %q, want %q", key, pi.ProcessDefinitionID, domain.FulfillmentProcessID)
	}
	nodes, err := stack.engine.WaitForElement(ctx, key, "OrderCompleted")
	if err != nil {
		t.Fatal(err)
	}
	if visited(nodes, "NotExecutedByThisInstance") {
		t.Fatalf("instance %d should not visit NotExecutedByThisInstance: %v", key, nodeIDs(nodes))
	}

	entries := timelineActions(t, ctx, order)
	checks := []struct {
		action, after string
		want          int
	}{
		{domain.AuditExecutionClaimed, "", 1},
		{domain.AuditOrderTransition, string(domain.OrderFulfilling), 1},
		{domain.AuditOrderTransition, string(domain.OrderCompleted), 1},
		{domain.AuditTaskTransition, string(domain.TaskInProgress), 3},
		{domain.AuditTaskTransition, string(domain.TaskCompleted), 3},
		{domain.AuditDuplicateInstance, "", 0},
	}
	for _, c := range checks {
		if got := countAudit(entries, c.action, c.after); got != c.want {
			t.Errorf("timeline has %d %s→%q entries, want %d", got, c.action, c.after, c.want)
		}
	}
	var attempts int
	if err := stack.pool.QueryRow(ctx, `select count(*) from fulfillment_task_attempt where tenant_id = $1 and order_id = $2`,
		tenant, order.OrderID).Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != 3 {
		t.Errorf("%d task attempts recorded, want one per task (3)", attempts)
	}
}

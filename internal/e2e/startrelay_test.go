package e2e

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// TestStartRelayCrashBetweenCreateAndStore kills the relay right after the engine created an
// instance and before the key was stored. The request is retried and a second instance starts;
// the plan is executed once, and the duplicate ends harmlessly with a timeline entry.
func TestStartRelayCrashBetweenCreateAndStore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// Only the crashing relay may see the request first.
	if err := stack.fleet["workflow-start-relay"].stop(20 * time.Second); err != nil {
		t.Fatalf("stop the shared relay: %v", err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = startFleetProcess("workflow-start-relay")
		}
	})

	tenant := newTenant(t)
	order := captureCloudBackup(t, ctx, tenant)
	crashing, err := startProcess(stack.binDir, stack.logDir, "workflow-start-relay",
		append(fleetEnv(), "ORDERFLEET_FAILPOINTS=startrelay-after-create")...)
	if err != nil {
		t.Fatal(err)
	}
	dumpLogsOnFailure(t, crashing)
	state, err := crashing.waitExit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("relay should have died by SIGKILL at the failpoint, ended %v", state)
	}
	var status string
	if err := stack.pool.QueryRow(ctx, `select status from workflow_start_request where tenant_id = $1 and order_id = $2`,
		tenant, order.OrderID).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != domain.StartPending {
		t.Fatalf("start request is %s after the crash, want it still %s", status, domain.StartPending)
	}

	if err := startFleetProcess("workflow-start-relay"); err != nil {
		t.Fatal(err)
	}
	restarted = true
	dumpLogsOnFailure(t, stack.fleet["workflow-start-relay"], stack.fleet["load-fulfillment-plan"])
	waitForOrderStatus(t, ctx, order, domain.OrderCompleted)

	// The duplicate's first job may run after the order completed; wait for its timeline entry.
	var dup domain.AuditEntry
	for dup.ID == "" {
		for _, e := range timelineActions(t, ctx, order) {
			if e.Action == domain.AuditDuplicateInstance {
				dup = e
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("no DUPLICATE_INSTANCE_IGNORED entry in the timeline")
		case <-time.After(250 * time.Millisecond):
		}
	}
	entries := timelineActions(t, ctx, order)
	if n := countAudit(entries, domain.AuditExecutionClaimed, ""); n != 1 {
		t.Errorf("execution claimed %d times, want once", n)
	}
	if n := countAudit(entries, domain.AuditDuplicateInstance, ""); n != 1 {
		t.Errorf("%d duplicate-instance entries, want 1", n)
	}
	if n := countAudit(entries, domain.AuditTaskTransition, string(domain.TaskCompleted)); n != 3 {
		t.Errorf("%d task completions, want 3: the plan must run once", n)
	}

	claimant := workflowKey(t, ctx, order)
	duplicate, err := strconv.ParseInt(dup.Details["duplicateProcessInstanceKey"], 10, 64)
	if err != nil || duplicate == claimant {
		t.Fatalf("duplicate key %q must be a key other than the claimant %d", dup.Details["duplicateProcessInstanceKey"], claimant)
	}
	for key, end := range map[int64]string{claimant: "OrderCompleted", duplicate: "NotExecutedByThisInstance"} {
		if _, err := stack.engine.WaitForState(ctx, key, "COMPLETED"); err != nil {
			t.Fatalf("engine read API: %v", err)
		}
		if _, err := stack.engine.WaitForElement(ctx, key, end); err != nil {
			t.Error(err)
		}
	}
}

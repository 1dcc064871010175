package e2e

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

// TestWorkerKilledAfterTheEffectFinishesTheOrderOnce kills execute-task with SIGKILL right after
// a partner performed a task's effect and before the result was stored. The engine hands the job
// out again after its timeout; the retry reuses the attempt's idempotency key, the partner replays
// its first answer, and the order completes with one effect and one attempt per task.
func TestWorkerKilledAfterTheEffectFinishesTheOrderOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	shared := stack.fleet["execute-task"]
	if err := shared.stop(20 * time.Second); err != nil {
		t.Fatalf("stop the shared execute-task: %v", err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = startFleetProcess("execute-task")
		}
	})
	crashing, err := startProcess(stack.binDir, stack.logDir, "execute-task",
		append(fleetEnv(), "ORDERFLEET_FAILPOINTS=execute-after-call")...)
	if err != nil {
		t.Fatal(err)
	}
	dumpLogsOnFailure(t, crashing)

	order := captureCloudBackup(t, ctx, newTenant(t))
	state, err := crashing.waitExit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ws, ok := state.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("execute-task should have died by SIGKILL after the call, ended %v", state)
	}
	taskID := waitForTask(t, ctx, order, domain.TaskReserveResource, domain.TaskInProgress)

	if err := startFleetProcess("execute-task"); err != nil {
		t.Fatal(err)
	}
	restarted = true
	dumpLogsOnFailure(t, stack.fleet["execute-task"])
	waitForOrderStatus(t, ctx, order, domain.OrderCompleted)

	page, err := simulator.NewClient(stack.simulatorURL).Ledger(ctx, simulator.Query{OrderID: order.OrderID})
	if err != nil {
		t.Fatal(err)
	}
	var reserveEffects, reserveDeliveries int
	for _, e := range page.Entries {
		if e.Operation == string(domain.TaskReserveResource) {
			reserveEffects += e.Effects
			reserveDeliveries += e.Deliveries
		}
	}
	if reserveEffects != 1 || reserveDeliveries < 2 {
		t.Fatalf("reserve: %d effects over %d deliveries; want exactly 1 effect and a replayed retry", reserveEffects, reserveDeliveries)
	}
	var attempts int
	if err := stack.pool.QueryRow(ctx, `select count(*) from fulfillment_task_attempt where tenant_id = $1 and fulfillment_task_id = $2`,
		order.TenantID, taskID).Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != 1 {
		t.Fatalf("%d attempts for the reserve task, want 1: the retry must reuse the attempt", attempts)
	}
	if n := countAudit(timelineActions(t, ctx, order), domain.AuditTaskTransition, string(domain.TaskCompleted)); n != 3 {
		t.Fatalf("%d task completions, want 3", n)
	}
}

package reconcile_test

import (
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
)

func TestFailedTaskWithoutOpenFalloutCaseIsFoundUntilACaseIsOpened(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.capture(f.tenant)
	f.setOrderStatus(o, domain.OrderFulfilling)
	tasks := f.taskIDs(o)
	orphan, repaired := tasks[0], tasks[1]
	for _, id := range tasks[:2] {
		f.exec(`update fulfillment_task set status = 'FAILED', last_failure_code = 'PARTNER_REJECTED',
			updated_at = now() - interval '1 hour' where tenant_id = $1 and id = $2`, f.tenant, id)
	}
	f.openFallout(o.OrderID, o.FulfillmentPlanID, repaired)

	f.pass()
	got := f.open(domain.DivergenceFailedTaskNotInRepair, orphan)
	if got.OrderID != o.OrderID || got.TaskID != orphan || !strings.Contains(got.Detail, "PARTNER_REJECTED") {
		t.Errorf("finding: %+v", got)
	}
	f.notOpen(domain.DivergenceFailedTaskNotInRepair, repaired)

	f.openFallout(o.OrderID, o.FulfillmentPlanID, orphan)
	f.pass()
	f.resolved(domain.DivergenceFailedTaskNotInRepair, orphan)
}

func (f *fixture) openFallout(orderID, planID, taskID string) {
	f.exec(`insert into fallout_case (id, tenant_id, order_id, fulfillment_plan_id, task_id, category, severity,
		customer_impact, retryable, requires_manual_repair, suggested_repair_actions, source_system, status, created_at, updated_at)
		values ($1, $2, $3, $4, $5, 'EXTERNAL_SYSTEM_REJECTION', 'HIGH', 'DELAYED', true, true, '{RETRY}', 'reconcile-test', 'OPEN', now(), now())`,
		domain.NewUUID(), f.tenant, orderID, planID, taskID)
}

func TestTaskInFlightPastItsTimeoutIsFoundUntilItSettles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.capture(f.tenant)
	f.setOrderStatus(o, domain.OrderFulfilling)
	tasks := f.taskIDs(o)
	stuck, withinPolicy := tasks[0], tasks[1]
	f.exec(`update fulfillment_task set status = 'SUBMITTED', timeout = 'PT10M', started_at = now() - interval '1 hour'
		where tenant_id = $1 and id = $2`, f.tenant, stuck)
	f.exec(`update fulfillment_task set status = 'WAITING', timeout = 'PT2H', started_at = now() - interval '1 hour'
		where tenant_id = $1 and id = $2`, f.tenant, withinPolicy)

	f.pass()
	got := f.open(domain.DivergenceTaskStuckPastTimeout, stuck)
	if got.TaskID != stuck || !strings.Contains(got.Detail, "SUBMITTED") || !strings.Contains(got.Detail, "PT10M") {
		t.Errorf("finding: %+v", got)
	}
	f.notOpen(domain.DivergenceTaskStuckPastTimeout, withinPolicy)

	f.exec(`update fulfillment_task set status = 'TIMED_OUT', updated_at = now() where tenant_id = $1 and id = $2`, f.tenant, stuck)
	f.pass()
	f.resolved(domain.DivergenceTaskStuckPastTimeout, stuck)
}

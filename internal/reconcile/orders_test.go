package reconcile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
)

func TestLiveOrderWithoutProcessIsFoundUntilItsInstanceRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	neverStarted := f.capture(f.tenant)
	f.ageStartRequest(neverStarted)
	unknownToEngine := f.capture(f.tenant)
	f.recordStarted(unknownToEngine, 1) // a key the engine has never seen
	ended := f.capture(f.tenant)
	f.setOrderStatus(ended, domain.OrderFulfilling)
	endedKey := f.startWaiting(ended)
	f.recordStarted(ended, endedKey)
	f.cancelInstance(endedKey)
	healthy := f.capture(f.tenant)
	f.recordStarted(healthy, f.startWaiting(healthy))
	fresh := f.capture(f.tenant) // its start request is younger than the grace

	f.pass()
	f.pass() // a second pass updates the open findings instead of adding rows
	got := f.open(domain.DivergenceOrderWithoutProcess, neverStarted.OrderID)
	if got.SeenCount != 2 || !strings.Contains(got.Detail, "no instance recorded or found") || got.FulfillmentPlanID != neverStarted.FulfillmentPlanID {
		t.Errorf("never started: %+v", got)
	}
	if got := f.open(domain.DivergenceOrderWithoutProcess, unknownToEngine.OrderID); !strings.Contains(got.Detail, "instance 1 UNKNOWN") {
		t.Errorf("unknown to the engine: %s", got.Detail)
	}
	got = f.open(domain.DivergenceOrderWithoutProcess, ended.OrderID)
	if !strings.Contains(got.Detail, fmt.Sprintf("instance %d CANCELED", endedKey)) || got.ProcessInstanceKey != fmt.Sprint(endedKey) {
		t.Errorf("ended in the engine: %+v", got)
	}
	f.notOpen(domain.DivergenceOrderWithoutProcess, healthy.OrderID)
	f.notOpen(domain.DivergenceOrderWithoutProcess, fresh.OrderID)

	// The relay catches up: the instance runs and the next pass resolves the finding.
	f.recordStarted(neverStarted, f.startWaiting(neverStarted))
	rep := f.pass()
	f.resolved(domain.DivergenceOrderWithoutProcess, neverStarted.OrderID)
	if rep.Resolved != 1 {
		t.Errorf("pass resolved %d findings, want 1", rep.Resolved)
	}
	f.open(domain.DivergenceOrderWithoutProcess, ended.OrderID)
}

func TestInstanceStillRunningForCompletedOrderIsFoundUntilItEnds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.capture(f.tenant)
	key := f.startWaiting(o)
	f.recordStarted(o, key)
	f.setOrderStatus(o, domain.OrderCompleted)
	done := f.capture(f.tenant) // completed, and its instance ended too
	doneKey := f.startWaiting(done)
	f.recordStarted(done, doneKey)
	f.cancelInstance(doneKey)
	f.setOrderStatus(done, domain.OrderCompleted)

	f.pass()
	got := f.open(domain.DivergenceProcessRunningForEndedOrder, o.OrderID)
	if got.ProcessInstanceKey != fmt.Sprint(key) || !strings.Contains(got.Detail, "COMPLETED") || !strings.Contains(got.Detail, "NeverWorked") {
		t.Errorf("finding: %+v", got)
	}
	f.notOpen(domain.DivergenceProcessRunningForEndedOrder, done.OrderID)

	f.cancelInstance(key)
	f.pass()
	f.resolved(domain.DivergenceProcessRunningForEndedOrder, o.OrderID)
}

func TestInstanceWaitingForCancelledOrderIsFoundEvenWhenOurTablesLackItsKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.capture(f.tenant)
	f.ageStartRequest(o)
	// The relay died after the engine created the instance and before it stored the key: only
	// the engine knows the instance, through its orderId variable.
	key := f.startWaiting(o)
	f.setOrderStatus(o, domain.OrderCancelled)

	f.pass()
	got := f.open(domain.DivergenceProcessWaitingForCancelledOrder, o.OrderID)
	if got.ProcessInstanceKey != fmt.Sprint(key) || !strings.Contains(got.Detail, "CANCELLED") || !strings.Contains(got.Detail, "at NeverWorked") {
		t.Errorf("finding: %+v", got)
	}
	f.notOpen(domain.DivergenceProcessRunningForEndedOrder, o.OrderID)

	f.cancelInstance(key)
	f.pass()
	f.resolved(domain.DivergenceProcessWaitingForCancelledOrder, o.OrderID)
}

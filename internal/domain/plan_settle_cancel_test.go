package domain

import "testing"

// A manual review still waiting for a person is withdrawn with the order; a submitted external
// request is not, because its effect may already exist at the partner.
func TestCancelOutstandingTasksWithdrawsWaitingManualWorkOnly(t *testing.T) {
	manual := &Task{ID: "review", Type: TaskManualActivationReview, Mode: ModeManual, Status: TaskWaiting}
	external := &Task{ID: "ship", Type: TaskConfirmShipment, Mode: ModeAutomatedAsync, Status: TaskWaiting}
	ready := &Task{ID: "notify", Type: TaskSendCustomerNotification, Mode: ModeAutomatedSync, Status: TaskReady}
	p := &Plan{ID: "p", TenantID: "t", OrderID: "o", Status: PlanExecuting, Tasks: []*Task{manual, external, ready}}
	ids, err := p.CancelOutstandingTasks(testCause("CANCEL"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || manual.Status != TaskCancelled || ready.Status != TaskCancelled || external.Status != TaskWaiting {
		t.Fatalf("cancelled %v; manual %s, external %s, ready %s", ids, manual.Status, external.Status, ready.Status)
	}
}

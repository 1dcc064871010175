package domain

import (
	"strings"
	"testing"
)

// billingPlan is a two-task plan: a required service task and a required
// billing task in the given states.
func billingPlan(policy CompletionPolicy, service, billing TaskStatus, optional ...TaskStatus) *Plan {
	p := &Plan{ID: "p", TenantID: "t", OrderID: "o", CompletionPolicy: policy, Tasks: []*Task{
		{ID: "svc", Type: TaskCreateProvisioningRequest, Status: service},
		{ID: "bill", Type: TaskActivateBilling, Status: billing},
	}}
	for i, s := range optional {
		p.Tasks = append(p.Tasks, &Task{ID: "opt" + string(rune('a'+i)), Type: TaskSendCustomerNotification, Optional: true, Status: s})
	}
	return p
}

func TestCompletionPolicyMatrix(t *testing.T) {
	// allowed billing states per policy, written independently of the table.
	allowed := map[CompletionPolicy]string{
		CompletionRequiresBillingActive:          "COMPLETED",
		CompletionRequiresBillingRequestAccepted: "SUBMITTED WAITING COMPLETED",
		CompletionAllowsBillingPending:           "IN_PROGRESS SUBMITTED WAITING COMPLETED",
	}
	for _, policy := range CompletionPolicies {
		for _, bs := range TaskStatuses {
			v := IsOrderCompletionAllowed(policy, billingPlan(policy, TaskCompleted, bs))
			want := strings.Contains(" "+allowed[policy]+" ", " "+string(bs)+" ")
			if v.Allowed != want {
				t.Errorf("%s with billing %s: allowed=%v, want %v (%v)", policy, bs, v.Allowed, want, v.Reasons)
			}
			if v.Allowed && v.BillingPending != (bs != TaskCompleted) {
				t.Errorf("%s with billing %s: pending=%v", policy, bs, v.BillingPending)
			}
		}
	}
	if v := IsOrderCompletionAllowed("NOPE", billingPlan("", TaskCompleted, TaskCompleted)); v.Allowed {
		t.Error("unknown policy allowed completion")
	}
	if v := IsOrderCompletionAllowed(CompletionAllowsBillingPending, billingPlan("", TaskFailed, TaskCompleted)); v.Allowed || len(v.Reasons) != 1 {
		t.Errorf("failed required service task: %+v", v)
	}
	if v := IsOrderCompletionAllowed(CompletionRequiresBillingActive, billingPlan("", TaskSkipped, TaskCompleted, TaskFailed)); !v.Allowed {
		t.Errorf("skipped required + failed optional should complete: %+v", v)
	}
	if v := IsOrderCompletionAllowed(CompletionRequiresBillingActive, billingPlan("", TaskCompleted, TaskCompleted, TaskInProgress)); v.Allowed {
		t.Error("optional task in flight must hold completion")
	}
}

func TestFinalizeOrder(t *testing.T) {
	o, p := preparedPlan(t, assetBook{}, CompletionAllowsBillingPending, bundleAdd(1))
	must(t, o.StartFulfillment(testCause("LOAD")))
	if _, err := o.Finalize(p, testCause("FINALIZE")); ErrorCode(err) != ECOMPLETIONBLOCKED || len(ErrorRefs(err)) == 0 {
		t.Fatalf("finalize of untouched plan: %v", err)
	}
	billing := taskByKey(t, p, "billing.activate")
	for i := 0; i < 20; i++ {
		for _, id := range p.ReadyTaskIDs() {
			if id == billing.ID {
				_, err := p.StartTask(id, AttemptRequest{}, testCause("BILL"))
				must(t, err)
				must(t, p.SubmitTask(id, "bill-1", testCause("BILL")))
				continue
			}
			if id == taskByKey(t, p, "customer.notify").ID {
				continue // left for Finalize to cancel
			}
			runTask(t, p, id)
		}
	}
	status, err := o.Finalize(p, testCause("FINALIZE"))
	if err != nil {
		t.Fatal(err)
	}
	// Notification never ran, so the order is only partially completed.
	if status != OrderPartiallyCompleted || o.Status != status || p.Status != PlanCompleted ||
		taskByKey(t, p, "customer.notify").Status != TaskCancelled || billing.Status != TaskSubmitted {
		t.Fatalf("status %s plan %s", status, p.Status)
	}
	if !hasEvent(o.PendingEvents(), EventOrderFulfillmentCompleted) {
		t.Fatal("no completion event")
	}
}

func TestFinalizeFullyCompleted(t *testing.T) {
	o, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	must(t, o.StartFulfillment(testCause("LOAD")))
	runAllReady(t, p)
	status, err := o.Finalize(p, testCause("FINALIZE"))
	if err != nil || status != OrderCompleted {
		t.Fatalf("finalize: %s %v", status, err)
	}
	if _, err := o.Finalize(p, testCause("AGAIN")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("finalize twice: %v", err)
	}
}

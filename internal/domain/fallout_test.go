package domain

import (
	"reflect"
	"testing"
)

func openInput(p *Plan, task *Task) OpenFalloutInput {
	return OpenFalloutInput{
		ID: "fc-1", TenantID: p.TenantID, OrderID: p.OrderID, OrderItemID: task.OrderItemID,
		FulfillmentPlanID: p.ID, TaskID: task.ID, Category: FalloutExternalSystemRejected, Severity: SeverityHigh,
		CustomerImpact: ImpactDelayed, Retryable: true, SourceSystem: task.OwnerSystem,
		ExternalCorrelationID: "inv-res-123", EvidenceHash: "sha256:ev", TaskOptional: task.Optional,
		TaskCompensatable: task.Compensation.Compensatable,
	}
}

func TestOpenFalloutCarriesSeedFields(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	task := taskByKey(t, p, "access.reserve")
	fc, err := OpenFallout(openInput(p, task), testCause("TASK_FAILED"))
	if err != nil {
		t.Fatal(err)
	}
	want := FalloutCase{
		ID: "fc-1", TenantID: "tenant-a", OrderID: p.OrderID, OrderItemID: task.OrderItemID, FulfillmentPlanID: p.ID,
		TaskID: task.ID, Category: FalloutExternalSystemRejected, Severity: SeverityHigh, CustomerImpact: ImpactDelayed,
		Retryable: true, RequiresManualRepair: true,
		SuggestedRepairActions: []RepairAction{RepairRetry, RepairCompensate, RepairManualClose},
		SourceSystem:           "inventory-adapter", ExternalCorrelationID: "inv-res-123", EvidenceHash: "sha256:ev",
		CreatedAt: t0, Status: FalloutOpen,
	}
	got := *fc
	got.Changes = Changes{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fallout case\n got %+v\nwant %+v", got, want)
	}
	evs := fc.PendingEvents()
	if len(evs) != 1 || evs[0].EventType != EventFulfillmentFalloutOpened || evs[0].Payload["category"] != "EXTERNAL_SYSTEM_REJECTED" {
		t.Fatalf("events %+v", evs)
	}
	if len(fc.PendingAudit()) != 1 || fc.PendingAudit()[0].Action != AuditFalloutOpened {
		t.Fatal("no audit entry")
	}
	in := openInput(p, task)
	in.Category = "SOMETHING"
	if _, err := OpenFallout(in, testCause("X")); ErrorCode(err) != EINVALID {
		t.Fatalf("unknown category: %v", err)
	}
	in = openInput(p, task)
	in.SourceSystem = ""
	if _, err := OpenFallout(in, testCause("X")); ErrorCode(err) != EINVALID {
		t.Fatalf("missing source system: %v", err)
	}
}

func TestSuggestRepairActions(t *testing.T) {
	cases := []struct {
		cat                          FalloutCategory
		retryable, optional, compens bool
		want                         []RepairAction
	}{
		{FalloutExternalSystemTimeout, true, false, false, []RepairAction{RepairRetry, RepairManualClose}},
		{FalloutExternalSystemTimeout, true, true, true, []RepairAction{RepairRetry, RepairSkipWithApproval, RepairCompensate, RepairManualClose}},
		{FalloutCompensationFailed, false, false, false, []RepairAction{RepairCompensate, RepairManualClose}},
		{FalloutInstalledBaseConflict, false, false, true, []RepairAction{RepairCompensate, RepairManualClose}},
	}
	for _, c := range cases {
		if got := SuggestRepairActions(c.cat, c.retryable, c.optional, c.compens); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.cat, got, c.want)
		}
	}
}

func TestRepairFalloutActions(t *testing.T) {
	setup := func(t *testing.T) (*Plan, *Task, *FalloutCase) {
		_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
		runTask(t, p, taskByKey(t, p, "access.check").ID)
		task := taskByKey(t, p, "access.reserve")
		failTask(t, p, task.ID, "NO_PORTS")
		fc, err := OpenFallout(openInput(p, task), testCause("TASK_FAILED"))
		must(t, err)
		fc.ClearPending()
		return p, task, fc
	}
	t.Run("retry", func(t *testing.T) {
		p, task, fc := setup(t)
		if _, err := RepairFallout(fc, p, RepairRetry, justification("ops-1"), "c", t0); err != nil {
			t.Fatal(err)
		}
		if task.Status != TaskReady || fc.Status != FalloutRepaired || fc.Resolution != RepairRetry || fc.ResolvedBy != "ops-1" {
			t.Fatalf("task %s case %s %s", task.Status, fc.Status, fc.Resolution)
		}
		if !hasEvent(fc.PendingEvents(), EventFulfillmentFalloutRepaired) {
			t.Fatal("no repaired event")
		}
		if _, err := RepairFallout(fc, p, RepairRetry, justification("ops-1"), "c", t0); ErrorCode(err) != EINVALIDTRANSITION {
			t.Fatalf("repairing twice: %v", err)
		}
	})
	t.Run("skip needs approval", func(t *testing.T) {
		p, task, fc := setup(t)
		if _, err := RepairFallout(fc, p, RepairSkipWithApproval, justification("ops-1"), "c", t0); ErrorCode(err) != EINVALID {
			t.Fatalf("skip without approver: %v", err)
		}
		if fc.Status != FalloutOpen || task.Status != TaskFailed {
			t.Fatal("rejected repair changed state")
		}
		j := justification("ops-1")
		j.ApproverID = "lead-1"
		if _, err := RepairFallout(fc, p, RepairSkipWithApproval, j, "c", t0); err != nil || task.Status != TaskSkipped {
			t.Fatalf("skip: %v %s", err, task.Status)
		}
		if r := taskByKey(t, p, "access.provision"); r.Status != TaskReady {
			t.Fatalf("dependent of skipped task is %s", r.Status)
		}
	})
	t.Run("compensate", func(t *testing.T) {
		p, task, fc := setup(t)
		if _, err := RepairFallout(fc, p, RepairCompensate, justification("ops-1"), "c", t0); err != nil {
			t.Fatal(err)
		}
		if fc.Status != FalloutRepaired || task.Status != TaskFailed {
			t.Fatalf("case %s task %s", fc.Status, task.Status)
		}
	})
	t.Run("manual close", func(t *testing.T) {
		p, _, fc := setup(t)
		if _, err := RepairFallout(fc, p, RepairManualClose, justification("ops-1"), "c", t0); err != nil {
			t.Fatal(err)
		}
		if fc.Status != FalloutClosed || p.Status != PlanClosed || len(p.ReadyTaskIDs()) != 0 {
			t.Fatalf("case %s plan %s ready %v", fc.Status, p.Status, p.ReadyTaskIDs())
		}
	})
	t.Run("escalate then repair", func(t *testing.T) {
		p, _, fc := setup(t)
		if err := fc.Escalate(Justification{ReasonCode: "NEEDS_TIER2", Reason: "unknown port state", OperatorID: "ops-1"}, "c"); err != nil || fc.Status != FalloutEscalated {
			t.Fatalf("escalate: %v %s", err, fc.Status)
		}
		if _, err := RepairFallout(fc, p, RepairRetry, justification("ops-2"), "c", t0); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("unstructured reason", func(t *testing.T) {
		p, _, fc := setup(t)
		j := justification("ops-1")
		j.ReasonCode = "fixed it"
		if _, err := RepairFallout(fc, p, RepairRetry, j, "c", t0); ErrorCode(err) != EINVALID {
			t.Fatalf("free-text reason code: %v", err)
		}
	})
}
